#!/usr/bin/env node
// Bundles every action (or the ones named on the command line) into actions/<name>/dist with ncc:
// one minified index.js, its licences file, and a package.json that marks the bundle as ESM.
// Command-line tools for people (tools/<name>, e.g. db-tunnel) are bundled the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Every bundle: name → its folder relative to the root. */
const folders = new Map();
for (const top of ['actions', 'tools']) {
  if (!existsSync(path.join(root, top))) continue;
  for (const name of readdirSync(path.join(root, top))) {
    if (existsSync(path.join(root, top, name, 'src', 'index.ts')))
      folders.set(name, path.join(top, name));
  }
}
const all = [...folders.keys()];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown action(s): ${unknown.join(', ')}. Actions: ${all.join(', ')}`);
  process.exit(2);
}
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
for (const name of wanted.length > 0 ? wanted : all) {
  const out = path.join(root, folders.get(name), 'dist');
  rmSync(out, { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    [
      ncc,
      'build',
      path.join(folders.get(name), 'src', 'index.ts'),
      '-o',
      out,
      '--minify',
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    console.error(`Building ${name} failed.`);
    process.exit(result.status ?? 1);
  }
  console.log(`built ${folders.get(name)}/dist`);
}
