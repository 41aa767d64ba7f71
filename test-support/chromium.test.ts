/**
 * Where the tests find Chromium: CHROMIUM_PATH, Playwright's browser (this playwright-core's
 * revision, then any other revision `npx playwright install chromium` left), /usr/bin/chromium,
 * Google Chrome. Playwright reads PLAYWRIGHT_BROWSERS_PATH when it loads, so each case runs the
 * module in a child process with a fake registry folder.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumCandidates } from './chromium.mjs';

const MODULE = fileURLToPath(new URL('./chromium.mjs', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'chromium-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A file that runs, standing in for a browser binary. */
function fakeBrowser(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho fake\n');
  chmodSync(file, 0o755);
  return file;
}

/** What findChromium() (or requireChromium()'s error) says in a process with this env. */
function find(env: Record<string, string | undefined>, call = 'findChromium'): string {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => {
    try { console.log(JSON.stringify(m.${call}() ?? null)); }
    catch (error) { console.log(JSON.stringify({ error: error.message })); }
  })`;
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env }))
    if (value !== undefined) childEnv[key] = value;
  return execFileSync(process.execPath, ['-e', script], { env: childEnv, encoding: 'utf8' });
}

/** The path this playwright-core expects its Chromium at, under a registry folder. */
function playwrightPath(registry: string): string {
  const script = `import('playwright-core').then((m) => console.log(m.chromium.executablePath()))`;
  return execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: registry },
    encoding: 'utf8',
  }).trim();
}

describe('finding Chromium', () => {
  it('takes CHROMIUM_PATH first, and reports a wrong one instead of looking elsewhere', () => {
    const browser = fakeBrowser(path.join(root, 'custom', 'my-chromium'));
    expect(JSON.parse(find({ CHROMIUM_PATH: browser }))).toEqual({
      source: 'CHROMIUM_PATH',
      path: browser,
    });
    const missing = path.join(root, 'custom', 'not-there');
    expect(JSON.parse(find({ CHROMIUM_PATH: missing }))).toBeNull();
    expect(JSON.parse(find({ CHROMIUM_PATH: missing }, 'requireChromium')).error).toBe(
      `CHROMIUM_PATH is ${missing}, which is not an executable file: point it at a Chromium or ` +
        'Chrome binary, or unset it to look in the usual places.',
    );
  });

  it("finds the Chromium Playwright installed for this playwright-core's revision", () => {
    const registry = path.join(root, 'registry-own');
    const browser = fakeBrowser(playwrightPath(registry));
    expect(browser).toMatch(/[\\/]chromium-\d+[\\/]/);
    expect(
      JSON.parse(find({ CHROMIUM_PATH: undefined, PLAYWRIGHT_BROWSERS_PATH: registry })),
    ).toEqual({ source: 'Playwright (npx playwright-core install chromium)', path: browser });
  });

  it('finds a Chromium of another Playwright release in the same folder, the newest first', () => {
    const registry = path.join(root, 'registry-other');
    const own = playwrightPath(registry);
    const revision = Number(/chromium-(\d+)/.exec(own)![1]);
    const older = own.replace(`chromium-${revision}`, `chromium-${revision - 50}`);
    const oldest = own.replace(`chromium-${revision}`, `chromium-${revision - 90}`);
    fakeBrowser(oldest);
    fakeBrowser(older);
    // A headless shell is not the browser the tests drive.
    fakeBrowser(own.replace(`chromium-${revision}`, `chromium_headless_shell-${revision}`));
    const found = JSON.parse(
      find({ CHROMIUM_PATH: undefined, PLAYWRIGHT_BROWSERS_PATH: registry }),
    );
    expect(found.path).toBe(older);
  });

  it('then looks at /usr/bin/chromium and Google Chrome, in that order', () => {
    const linux = chromiumCandidates({ env: {}, platform: 'linux' }).map((c) => c.source);
    expect(linux.filter((source) => !source.startsWith('Playwright'))).toEqual([
      'Debian/Ubuntu',
      'Google Chrome',
      'Google Chrome',
      'Google Chrome',
    ]);
    expect(linux[0]).toMatch(/^Playwright/);
    const mac = chromiumCandidates({ env: { CHROMIUM_PATH: '/x' }, platform: 'darwin' });
    expect(mac.map((c) => c.path)).toEqual([
      '/x',
      expect.stringContaining('chromium-'),
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    ]);
  });

  it('names every place it looked and the install command when there is none', () => {
    const registry = path.join(root, 'registry-empty');
    const result = JSON.parse(
      find(
        { CHROMIUM_PATH: undefined, PLAYWRIGHT_BROWSERS_PATH: registry, PATH: '/nonexistent' },
        'requireChromium',
      ),
    );
    // This machine may have /usr/bin/chromium or Chrome; only without them is there an error.
    if (result.error) {
      expect(result.error).toContain(registry);
      expect(result.error).toContain('/usr/bin/chromium (Debian/Ubuntu)');
      expect(result.error).toContain('npx playwright-core install chromium');
    } else {
      expect(['Debian/Ubuntu', 'Google Chrome']).toContain(result.source);
    }
  });
});
