/**
 * The check `npm test` makes before any test: every missing piece in one block with the commands
 * that install it, for the rings the run selected. The last test runs Jest itself on a PATH
 * without cfn-lint and sees the run stop before any test file.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkPrerequisites,
  missingReport,
  PREREQUISITES,
  RING_NEEDS,
  selectedRings,
} from './prerequisites.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('prerequisites of the test rings', () => {
  it('knows what each ring needs and which rings a run selected', () => {
    const jest = ['node', 'node_modules/jest/bin/jest.js'];
    expect(selectedRings({ argv: jest })).toEqual(['unit', 'integration', 'static', 'example-app']);
    expect(
      selectedRings({ argv: [...jest, '--selectProjects', 'static', 'unit', '--', 'a.test.ts'] }),
    ).toEqual(['static', 'unit']);
    expect(selectedRings({ argv: [...jest, '--selectProjects=integration', '-i'] })).toEqual([
      'integration',
    ]);
    expect(selectedRings({ argv: [...jest, '--ignoreProjects', 'example-app'] })).toEqual([
      'unit',
      'integration',
      'static',
    ]);
    expect(RING_NEEDS.static).toEqual(['node', 'cfn-lint']);
    expect(RING_NEEDS['example-app']).toEqual(['node', 'mariadb', 'chromium']);
    // Every piece a ring names has a check and an install line for each system.
    for (const piece of new Set(Object.values(RING_NEEDS).flat())) {
      const prerequisite = PREREQUISITES.find((candidate) => candidate.piece === piece);
      expect(prerequisite?.debian).toMatch(/\S/);
      expect(prerequisite?.macos).toMatch(/\S/);
    }
  });

  it('reports every missing piece in one block, with both install lines, and what was found', () => {
    const [node, moto, , mariadb] = PREREQUISITES;
    const report = missingReport(
      [
        { prerequisite: node!, result: { ok: true, found: 'Node 20.20.2' } },
        { prerequisite: moto!, result: { ok: false, problem: 'python3 has no module moto' } },
        { prerequisite: mariadb!, result: { ok: false, problem: 'no mariadbd or mysqld' } },
      ],
      ['integration'],
    );
    expect(report).toBe(
      [
        'The tests (integration) need 2 things this machine lacks:',
        '',
        `  ✗ ${moto!.title}: python3 has no module moto`,
        `      Debian/Ubuntu: ${moto!.debian}`,
        `      macOS:         ${moto!.macos}`,
        `  ✗ ${mariadb!.title}: no mariadbd or mysqld`,
        '      Debian/Ubuntu: sudo apt-get install -y mariadb-server',
        '      macOS:         brew install mariadb',
        '',
        'Found: Node 20.20.2.',
        '',
        'README.md ("Try it") lists them all; npm test -- --selectProjects <ring> checks only what that ring needs.',
      ].join('\n'),
    );
    expect(
      missingReport([{ prerequisite: node!, result: { ok: true, found: 'Node 22' } }], ['unit']),
    ).toBeUndefined();
  });

  it('finds a Python without moto and a CHROMIUM_PATH that is no browser', async () => {
    const saved = { python: process.env.MOTO_PYTHON, chromium: process.env.CHROMIUM_PATH };
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      const [chromium] = await checkPrerequisites(['chromium']);
      expect(chromium!.result).toEqual({
        ok: false,
        problem: 'CHROMIUM_PATH is /nonexistent/chromium, not an executable',
      });
    } finally {
      if (saved.chromium === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved.chromium;
    }
    // MOTO_PYTHON is read when moto-server.mjs loads: a child process with another one.
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(REPO_ROOT, 'test-support/prerequisites.mjs'))});
         console.log(JSON.stringify((await m.checkPrerequisites(['moto']))[0].result));`,
      ],
      { env: { ...process.env, MOTO_PYTHON: 'no-such-python3' }, encoding: 'utf8' },
    );
    expect(JSON.parse(probe.stdout)).toEqual({
      ok: false,
      problem: 'no-such-python3: no-such-python3: not found',
    });
  });

  it('stops `npm test` before any test file when a selected ring lacks a piece', () => {
    // PATH without cfn-lint (Node is taken by its full path); the static ring needs it.
    const jest = spawnSync(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js'),
        '--selectProjects',
        'static',
        '--',
        'tests/static/toolkit.test.ts',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, PATH: '/nonexistent' }, encoding: 'utf8' },
    );
    expect(jest.status).not.toBe(0);
    expect(jest.stderr).toContain('The tests (static) need one thing this machine lacks:');
    expect(jest.stderr).toContain('✗ cfn-lint (the CloudFormation linter) on PATH');
    expect(jest.stderr).toContain(
      'Debian/Ubuntu: sudo apt-get install -y pipx && pipx install cfn-lint',
    );
    expect(jest.stderr).toContain('macOS:         brew install cfn-lint');
    expect(jest.stderr).not.toMatch(/PASS|FAIL .*toolkit/);
  });
});
