/**
 * The Dockerfile's rules, checked statically (no Docker engine here and hadolint is not in
 * Debian): multi-stage, production dependencies only, non-root user, a HEALTHCHECK the base image
 * can run, a small pinned base image, and an ignore file that keeps node_modules, tests and .git
 * out of the build context. Each rule is also shown to fail on a Dockerfile that breaks it.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerfileProblems, ignoredBy, NEVER_SENT } from './support/dockerfile-rules.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = path.join(REPO, 'example-app/backend/Dockerfile');
const dockerfile = readFileSync(DOCKERFILE, 'utf8');
const ignoreFile = readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8');
const exists = (file: string) => existsSync(path.join(REPO, file));

function problemsOf(changed: { dockerfile?: string; ignoreFile?: string }): string[] {
  return dockerfileProblems({ dockerfile, ignoreFile, exists, ...changed });
}

/** The real Dockerfile with one edit; fails the test when the edit did not apply. */
function edited(from: string | RegExp, to: string): string {
  const result = dockerfile.replace(from, to);
  expect(result).not.toBe(dockerfile);
  return result;
}

const RUNTIME_FROM = 'FROM node:24-alpine AS runtime';

describe('the Dockerfile', () => {
  it('keeps every rule', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it.each<[string, () => string, string]>([
    [
      'a single stage',
      () => dockerfile.slice(dockerfile.indexOf(RUNTIME_FROM)),
      'multi-stage: a single stage',
    ],
    ['an unnamed stage', () => edited(RUNTIME_FROM, 'FROM node:24-alpine'), 'multi-stage:'],
    ['node:latest', () => edited(RUNTIME_FROM, 'FROM node:latest AS runtime'), 'pinned base:'],
    ['an unpinned image', () => edited(RUNTIME_FROM, 'FROM node AS runtime'), 'pinned base:'],
    ['Node 20', () => edited(RUNTIME_FROM, 'FROM node:20-alpine AS runtime'), 'pinned base:'],
    ['the full Debian image', () => edited(RUNTIME_FROM, 'FROM node:24 AS runtime'), 'small:'],
    ['no USER', () => edited(/^USER node\n/m, ''), 'non-root:'],
    ['USER root', () => edited(/^USER node$/m, 'USER root'), 'non-root:'],
    ['USER 0:0', () => edited(/^USER node$/m, 'USER 0:0'), 'non-root:'],
    [
      'USER after CMD',
      () => `${edited(/^USER node\n/m, '')}USER node\n`,
      'non-root: USER comes after CMD',
    ],
    ['no HEALTHCHECK', () => edited(/^HEALTHCHECK .*\\\n.*\n/m, ''), 'healthcheck: no'],
    [
      'HEALTHCHECK NONE',
      () => edited(/^HEALTHCHECK .*\\\n.*\n/m, 'HEALTHCHECK NONE\n'),
      'healthcheck: no',
    ],
    [
      'a HEALTHCHECK with curl on Alpine',
      () => edited('CMD wget -q -O /dev/null', 'CMD curl -fsS'),
      'healthcheck: curl is not in node:24-alpine',
    ],
    [
      'a HEALTHCHECK with wget on a slim image',
      () => edited(RUNTIME_FROM, 'FROM node:24-slim AS runtime'),
      'healthcheck: wget is not in node:24-slim',
    ],
    ['CMD through npm', () => edited(/^CMD .*$/m, 'CMD ["npm", "start"]'), 'command:'],
    ['CMD in shell form', () => edited(/^CMD .*$/m, 'CMD node build/server.js'), 'command:'],
    ['dev dependencies', () => edited(' --omit=dev', ''), 'production deps:'],
    [
      'npm install',
      () => edited('RUN npm ci --omit=dev', 'RUN npm install --omit=dev'),
      'production deps:',
    ],
    [
      'a RUN in the runtime stage',
      () => `${dockerfile}RUN npm ci --omit=dev\n`,
      'production deps:',
    ],
    [
      'node_modules from the build stage (dev dependencies included)',
      () => edited('COPY --from=deps /app/node_modules', 'COPY --from=build /app/node_modules'),
      'production deps:',
    ],
    [
      'sources in the runtime stage',
      () => `${dockerfile}COPY example-app/backend/src src\n`,
      'no sources: the runtime stage copies example-app/backend/src',
    ],
    [
      'a copied path that does not exist',
      () => edited('COPY example-app/backend/migrations ', 'COPY example-app/backend/migration '),
      'context: COPY example-app/backend/migration,',
    ],
    [
      'a copied path the ignore file leaves out',
      () => edited(RUNTIME_FROM, `COPY example-app/backend/test test\n${RUNTIME_FROM}`),
      'context: COPY example-app/backend/test, which the ignore file leaves out',
    ],
    [
      'no migrations in the image',
      () => edited(/^COPY example-app\/backend\/migrations .*\n/m, ''),
      'migrate command: the runtime stage does not copy example-app/backend/migrations',
    ],
    [
      'no backend package.json (npm run migrate)',
      () =>
        edited(
          /^COPY example-app\/backend\/package.json .*\n(?=COPY example-app\/backend\/migrations)/m,
          '',
        ),
      'migrate command: the runtime stage does not copy example-app/backend/package.json',
    ],
    [
      'another working directory',
      () => edited(/^WORKDIR \/app\/example-app\/backend$/m, 'WORKDIR /app'),
      'migrate command: WORKDIR is /app,',
    ],
  ])('fails on %s', (_case, change, problem) => {
    const problems = problemsOf({ dockerfile: change() });
    expect(problems).toContainEqual(expect.stringContaining(problem));
  });
});

describe('Dockerfile.dockerignore', () => {
  it.each(NEVER_SENT)('keeps %s out of the build context', (file) => {
    expect(ignoredBy(ignoreFile, file)).toBe(true);
  });

  it.each([
    'package-lock.json',
    'example-app/backend/src/server.ts',
    'example-app/backend/migrations/0001_create_notes.sql',
  ])('sends %s', (file) => {
    expect(ignoredBy(ignoreFile, file)).toBe(false);
  });

  it.each(['*', '**/node_modules', '**/test', '**/*.test.ts', '**/.env'])(
    'is caught by the rules without its %s line',
    (line) => {
      const without = ignoreFile.replace(new RegExp(`^${line.replace(/[.*]/g, '\\$&')}$`, 'm'), '');
      expect(without).not.toBe(ignoreFile);
      expect(problemsOf({ ignoreFile: without })).toContainEqual(
        expect.stringMatching(/^ignore file: .* reaches the context$/),
      );
    },
  );
});
