// `npm run demo` is the newcomer's first command: it must keep working as the actions grow.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../test-support/run-action.js';

describe('npm run demo', () => {
  it('provisions, publishes, repeats without changes, and stops its local AWS', () => {
    const demo = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(demo.status).toBe(0);
    const log = demo.stdout;
    // A change table on the first run, "no changes" on the second.
    expect(log).toMatch(/\| Add \| SiteBucket \| AWS::S3::Bucket \|/);
    expect(log).toMatch(/No changes: stack notes-demo-app already matches/);
    // Everything uploaded, then nothing, then only the changed page with its invalidation.
    expect(log).toMatch(/"uploaded":"0","skipped":"3"/);
    expect(log).toMatch(/Invalidation \| \w+: \/ \/index\.html/);
    expect(log.trim().split('\n').pop()).toBe(
      'Demo finished: every step passed; the local AWS is stopped.',
    );
  });
});
