/**
 * The Dockerfile's rules, checked statically (no Docker engine here and hadolint is not in
 * Debian): multi-stage, production dependencies only, non-root user, HEALTHCHECK, a pinned base
 * image, and an ignore file that keeps node_modules, tests and .git out of the build context.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = path.join(REPO, 'example-app/backend/Dockerfile');
const IGNORE_FILE = `${DOCKERFILE}.dockerignore`;

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments, also between continued lines
    const joined = pending + line.trim();
    if (joined.endsWith('\\')) {
      pending = `${joined.slice(0, -1).trim()} `;
      continue;
    }
    pending = '';
    if (joined === '') continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(joined) ?? [];
    instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** COPY's options and paths; the last path is the destination. */
function copyParts(args: string): { from: string | undefined; sources: string[] } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1) };
}

/**
 * Whether the build context leaves a path out, by Docker's rules: patterns in order, the last one
 * that matches the path or one of its parent folders decides, `!` lets a path back in, `*` and
 * `?` stay within one path segment, `**` spans any number.
 */
function ignoredBy(ignoreFile: string, file: string): boolean {
  const rules = ignoreFile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, ''));
      return { negated, regex: globToRegex(pattern) };
    });
  const segments = file.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negated;
  }
  return ignored;
}

function globToRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      i += 1;
      if (pattern[i + 1] === '/') {
        i += 1;
        source += '(?:.*/)?';
      } else {
        source += '.*';
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

const instructions = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const stages = stagesOf(instructions);
const runtime = stages.at(-1)!;
const ignoreFile = readFileSync(IGNORE_FILE, 'utf8');
const keywords = (stage: Stage) => stage.instructions.map((instruction) => instruction.keyword);

describe('the Dockerfile', () => {
  it('is multi-stage, every stage named', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('pins every base image to a Node major version (22 or later), never latest', () => {
    for (const stage of stages) {
      const fromStage = stages.some((other) => other.name === stage.image);
      if (fromStage) continue;
      const match =
        /^node:(\d+)(-(alpine|slim|bookworm-slim|trixie-slim)[\d.]*)?(@sha256:[a-f0-9]{64})?$/.exec(
          stage.image,
        );
      expect({ image: stage.image, pinned: match !== null }).toEqual({
        image: stage.image,
        pinned: true,
      });
      expect(Number(match![1])).toBeGreaterThanOrEqual(22);
      expect(stage.image).not.toMatch(/:latest|^[^:]+$/);
    }
  });

  it('runs as a non-root user, set before the command', () => {
    const users = runtime.instructions.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0]!.trim();
    expect(['root', '0', '']).not.toContain(user);
    expect(keywords(runtime).lastIndexOf('USER')).toBeLessThan(keywords(runtime).indexOf('CMD'));
  });

  it('has a HEALTHCHECK that requests /api/health', () => {
    const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/\bCMD\b/);
    expect(healthcheck?.args).not.toMatch(/^NONE/);
    expect(healthcheck?.args).toContain('/api/health');
  });

  it('starts the compiled server with plain node (exec form, so node gets SIGTERM)', () => {
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    expect(JSON.parse(cmd!.args)).toEqual(['node', 'build/server.js']);
  });

  it('ships production dependencies only, installed with the lock file in another stage', () => {
    expect(keywords(runtime)).not.toContain('RUN'); // no npm install in the final image
    const modules = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .map((i) => copyParts(i.args))
      .find((copy) => copy.sources.some((source) => source.endsWith('node_modules')));
    expect(modules?.from).toBeDefined();
    const depsStage = stages.find((stage) => stage.name === modules!.from)!;
    const installs = depsStage.instructions.filter((i) => /\bnpm (ci|install)\b/.test(i.args));
    expect(installs).toHaveLength(1);
    expect(installs[0]!.args).toMatch(/\bnpm ci\b/);
    expect(installs[0]!.args).toContain('--omit=dev');
  });

  it('copies no sources or tests into the final image', () => {
    const copied = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => copyParts(i.args).sources);
    for (const source of copied) expect(source).not.toMatch(/(^|\/)(src|test|tests)(\/|$)/);
  });

  it('copies only files that exist and that the ignore file lets into the context', () => {
    const fromContext = stages
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === 'COPY' && !copyParts(i.args).from)
      .flatMap((i) => copyParts(i.args).sources);
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect({ source, exists: existsSync(path.join(REPO, source)) }).toEqual({
        source,
        exists: true,
      });
      expect({ source, ignored: ignoredBy(ignoreFile, source) }).toEqual({
        source,
        ignored: false,
      });
    }
  });
});

describe('Dockerfile.dockerignore', () => {
  it.each([
    '.git/HEAD',
    'node_modules/fastify/package.json',
    'example-app/backend/node_modules/x/index.js',
    'example-app/backend/test/api.test.ts',
    'example-app/backend/src/notes/cursor.test.ts',
    'example-app/backend/build/server.js',
    'example-app/frontend/dist/index.html',
    'example-app/frontend/src/main.ts',
    'actions/common/src/inputs.ts',
    '.env',
  ])('keeps %s out of the build context', (file) => {
    expect(ignoredBy(ignoreFile, file)).toBe(true);
  });

  it.each([
    'package-lock.json',
    'example-app/backend/src/server.ts',
    'example-app/backend/migrations/0001_create_notes.sql',
  ])('sends %s', (file) => {
    expect(ignoredBy(ignoreFile, file)).toBe(false);
  });
});
