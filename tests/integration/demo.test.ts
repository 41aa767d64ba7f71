// `npm run demo` is the newcomer's first command: both releases of the example app end to end on
// this machine, then the page itself in Chromium through the demo's local edge. The demo runs with
// --keep, so that the browser gets the stacks, the API and the edge the demo left running; SIGINT
// then stops it all, as Ctrl-C does.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { requireChromium } from '../../test-support/chromium.mjs';
import { REPO_ROOT } from '../../test-support/run-action.js';

let demo: ChildProcess | undefined;
let browser: Browser | undefined;
let output = '';

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

/** Starts the demo with --keep and resolves with the local edge's URL once it prints it. */
function startDemo(): Promise<string> {
  demo = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs'), '--keep'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    demo!.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const url = /^The example app: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1];
      if (url) resolve(url);
    });
    demo!.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
    demo!.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
  });
}

/** The part of the demo's output that belongs to one release. */
function release(number: 1 | 2): string {
  const start = output.indexOf(`Release ${number}: `);
  const end =
    number === 1 ? output.indexOf('Release 2: ') : output.indexOf('What stood in for AWS');
  expect(start).toBeGreaterThanOrEqual(0);
  return output.slice(start, end < 0 ? undefined : end);
}

describe('npm run demo', () => {
  it('releases the example app twice, serves it through the local edge, and stops everything on Ctrl-C', async () => {
    const url = await startDemo();

    // Release 1: every stack created from the real templates, each substitute said.
    const first = release(1);
    for (const stack of ['network', 'data', 'app', 'edge'])
      expect(first).toContain(`stack-name: demo-${stack}`);
    expect(first).toMatch(/\| Add \| Vpc \| AWS::EC2::VPC \|/);
    expect(first).toMatch(
      /substitute: Fn::Cidr \(4 in network\.yaml\): moto's CloudFormation has no Fn::Cidr/,
    );
    expect(first).toMatch(
      /substitute: AWS::RDS::DBCluster DatabaseCluster \(data\.yaml\): .*created directly/,
    );
    expect(first).toMatch(
      /substitute: AWS::CloudFront::Distribution Distribution \(edge\.yaml\): .*created directly/,
    );
    // The image manifest, the revision, the migration run by its stand-in, the roll.
    expect(first).toMatch(
      /image manifest .* → 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/demo\/api:[0-9a-f]{40}, sha256:/,
    );
    expect(first).toContain('Registered demo-api:2');
    expect(first).toMatch(
      /stand-in: task \S+ of demo-api:2 runs `npm run migrate` on this machine/,
    );
    expect(first).toMatch(/│ done: 1 migration\(s\) applied/);
    expect(first).toMatch(
      /stand-in: task \S+ exited with code 0; stopped it in the local ECS with that exit code/,
    );
    expect(first).toMatch(/stand-in: demo-api:2 answers \/api\/health/);

    // Release 2: nothing to change in the stacks but what deploy.yml changes itself (Aurora's
    // deletion protection, on from the second run), no migration to apply, a new revision
    // rolled, one file uploaded and its two-path invalidation.
    const second = release(2);
    for (const stack of ['network', 'app', 'edge'])
      expect(second).toMatch(new RegExp(`No changes: stack demo-${stack} already`));
    expect(second).not.toMatch(/No changes: stack demo-data already/);
    expect(second).toMatch(/parameters that changed \(DeletionProtection false → true\)/);
    expect(second).toMatch(
      /DeletionProtection false → true applied to the cluster the demo made \(rds ModifyDBCluster\)/,
    );
    expect(second).toMatch(/│ done: 0 migration\(s\) applied/);
    expect(second).toContain('Registered demo-api:3');
    expect(second).toMatch(/stand-in: demo-api:3 answers \/api\/health/);
    expect(second).toMatch(/✓ outputs: uploaded=1, /);
    expect(second).toMatch(/Invalidation \| \w+: \/ \/index\.html/);

    // The list at the end: every substitute and stand-in, once.
    const list = output.slice(output.indexOf('What stood in for AWS'));
    expect(list).toMatch(/^- Custom::AppDatabaseUser AppDatabaseUser \(data\.yaml\): /m);
    expect(list).toMatch(
      /^- local edge: the distribution \w+'s behaviours on http:\/\/127\.0\.0\.1:\d+\//m,
    );

    // The page, through the edge: add a note, reload, still there, delete it.
    browser = await chromium.launch({
      executablePath: requireChromium().path,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const page = await browser.newPage();
    const text = `Demo note ${Date.now()}`;
    await page.goto(url);
    await page.getByLabel('New note').fill(text);
    await page.keyboard.press('Enter');
    const note = page.getByRole('listitem').filter({ hasText: text });
    await note.waitFor();
    await page.reload();
    await note.waitFor();
    await page.getByRole('button', { name: `Delete note: ${text}` }).click();
    await note.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('list').or(page.getByText('No notes yet.')).first().waitFor();
    expect(await note.count()).toBe(0);

    // Ctrl-C: the demo stops the local AWS, MariaDB, the stand-ins and the edge, and says so.
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', resolve));
    demo!.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain(
      '\nDemo finished: both releases passed; stopping the local AWS, MariaDB and the stand-ins.\n',
    );
    await expect(fetch(url)).rejects.toThrow();
  }, 300_000);
});
