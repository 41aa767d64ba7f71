/**
 * The page in a real browser (the Chromium test-support/chromium.mjs finds, driven by
 * playwright-core), served by the local run (`npm run local`) against the tests' MariaDB: add a
 * note, see it, reload, still there, an API error shown to the user, delete it with the keyboard.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireChromium } from '../../../test-support/chromium.mjs';
import { adminConnection, MARIADB, randomName } from '../../backend/test/support/mariadb.js';

const FRONTEND = fileURLToPath(new URL('../', import.meta.url));
const BACKEND = fileURLToPath(new URL('../../backend/', import.meta.url));
// CHROMIUM_PATH, Playwright's Chromium, /usr/bin/chromium or Google Chrome, in that order.
const CHROMIUM = requireChromium().path;

/** Newest modification time under a folder (or of a file). */
function newest(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newest(path.join(file, name))));
}

/** Builds dist/ when it is missing or older than the sources (a fresh clone after npm ci). */
function ensureFrontendBuilt(): void {
  const index = path.join(FRONTEND, 'dist/index.html');
  const sources = ['index.html', 'src', 'vite.config.ts'].map((name) => path.join(FRONTEND, name));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return;
  // The documented build command (vite build), so the test builds what the pipeline publishes.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: FRONTEND, stdio: 'inherit' });
}

/**
 * Starts the documented local run (`npm run local`) on a free port and resolves with its URL once
 * it listens. `--ignore-scripts` skips only the `prelocal` builds (the global setup compiled the
 * backend, ensureFrontendBuilt the page), so the process tree is the one a developer gets.
 */
function startLocalRun(
  database: string,
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn('npm', ['run', 'local', '--ignore-scripts'], {
    cwd: BACKEND,
    env: {
      ...process.env,
      // The tests' MariaDB (a throwaway server on a free port), not the local run's default.
      DB_HOST: MARIADB.host,
      DB_PORT: String(MARIADB.port),
      DB_USER: MARIADB.user,
      DB_PASSWORD: MARIADB.password,
      PORT: '0',
      DB_NAME: database,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      for (const line of output.split('\n')) {
        if (!line.includes('"event":"listening"')) continue;
        const { url } = JSON.parse(line) as { url: string };
        resolve({ child, url, log: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.on('exit', (code) => reject(new Error(`the local run exited with ${code}:\n${output}`)));
  });
}

let browser: Browser;
let page: Page;
let local: Awaited<ReturnType<typeof startLocalRun>>;
const database = randomName('notes_browser');
const requested: string[] = [];

beforeAll(async () => {
  ensureFrontendBuilt();
  // No CREATE DATABASE here: the local run creates it and applies the migrations.
  local = await startLocalRun(database);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const admin = await adminConnection();
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
  if (local && local.child.exitCode === null) {
    // SIGTERM, not SIGKILL: npm passes it on to the server, a killed npm would orphan it.
    local.child.kill('SIGTERM');
  }
});

describe('the notes page', () => {
  const text = `Browser note ${Date.now()}`;
  const note = () => page.getByRole('listitem').filter({ hasText: text });

  it('adds a note with the keyboard, keeps it across a reload, shows API errors, deletes it', async () => {
    await page.goto(local.url);
    await page.getByText('No notes yet.').waitFor();

    // Add: type into the labelled field and press Enter.
    await page.getByLabel('New note').fill(text);
    await page.keyboard.press('Enter');
    await note().waitFor();
    expect(await page.getByLabel('New note').inputValue()).toBe('');

    // Reload: it came from the database, not from the page's memory.
    await page.reload();
    await note().waitFor();
    expect(await page.getByRole('listitem').count()).toBe(1);

    // An API error reaches the user: blank text is a 400 from the API.
    await page.getByLabel('New note').fill('   ');
    await page.getByRole('button', { name: 'Add note' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toBe('text must not be empty');

    // Delete with the keyboard: focus the note's Delete button and press Enter.
    await page.getByRole('button', { name: `Delete note: ${text}` }).focus();
    await page.keyboard.press('Enter');
    await note().waitFor({ state: 'detached' });
    await page.reload();
    await page.getByText('No notes yet.').waitFor();
    expect(await note().count()).toBe(0);

    const origin = new URL(local.url).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(requested.some((url) => url.startsWith(`${origin}/api/notes`))).toBe(true);
  }, 60_000);

  it('shows 20 notes, then the older ones on "Show older notes"', async () => {
    for (let i = 1; i <= 23; i += 1) {
      const response = await fetch(`${local.url}/api/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Paged note ${i}` }),
      });
      expect(response.status).toBe(201);
    }
    await page.reload();
    await page.getByRole('listitem').first().waitFor();
    expect(await page.getByRole('listitem').count()).toBe(20);
    expect(await page.getByRole('listitem').first().textContent()).toContain('Paged note 23');
    await page.getByRole('button', { name: 'Show older notes' }).click();
    await page.getByText('Paged note 1', { exact: true }).waitFor(); // the oldest
    expect(await page.getByRole('listitem').count()).toBe(23);
    await page.getByRole('button', { name: 'Show older notes' }).waitFor({ state: 'hidden' });
  });

  it('takes 500 characters as the API counts them (an emoji is one), and shows the limit', async () => {
    // No maxlength on the field: the browser counts UTF-16 units and would cut 500 emoji at 250.
    const emoji = '😀'.repeat(500);
    await page.getByLabel('New note').fill(emoji);
    await page.keyboard.press('Enter');
    await page.getByRole('listitem').filter({ hasText: emoji }).waitFor();
    await page.getByLabel('New note').fill('a'.repeat(501));
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toBe('text must be at most 500 characters');
  });

  it('drops a note that was deleted elsewhere when its Delete is pressed', async () => {
    const created = await fetch(`${local.url}/api/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Deleted in another tab' }),
    });
    const { id } = (await created.json()) as { id: number };
    await page.reload();
    const stale = page.getByRole('listitem').filter({ hasText: 'Deleted in another tab' });
    await stale.waitFor();
    const count = await page.getByRole('listitem').count();
    // Another tab deletes it; this page still shows it.
    expect((await fetch(`${local.url}/api/notes/${id}`, { method: 'DELETE' })).status).toBe(204);
    await page.getByRole('button', { name: 'Delete note: Deleted in another tab' }).focus();
    await page.keyboard.press('Enter');
    await stale.waitFor({ state: 'detached' });
    expect(await page.getByRole('listitem').count()).toBe(count - 1);
    expect(await page.locator('#status').textContent()).toBe('That note was already deleted.');
    expect(await page.getByRole('alert').isVisible()).toBe(false);
  });

  it('was served with CloudFront-like caching: hashed assets immutable, index.html revalidated', async () => {
    const index = await fetch(local.url);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = requested.find((url) => /\/assets\/index-[\w-]+\.js$/.test(url));
    expect(asset).toBeDefined();
    const script = await fetch(asset!);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('stops cleanly on SIGTERM to npm, leaving no server behind', async () => {
    // What a process manager, an IDE's stop button or `timeout` does: signal the top process
    // only. npm forwards it to the server (the script execs node), which must not outlive npm.
    const exited = new Promise<number | null>((resolve) => local.child.once('exit', resolve));
    local.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(local.log()).toContain('"event":"shutdown.done"');
    await expect(fetch(`${local.url}/api/health`)).rejects.toThrow();
  });
});
