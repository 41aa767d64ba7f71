import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  callerReference,
  changeSetName,
  clientToken,
  describeRun,
  runIdentity,
  runUrl,
  startedBy,
} from '../src/run-identity.js';

const RUN = {
  GITHUB_REPOSITORY: 'example/app',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_ACTOR: 'octocat',
  GITHUB_WORKFLOW_REF: 'example/app/.github/workflows/deploy.yml@refs/heads/main',
  GITHUB_SERVER_URL: 'https://github.example.com/',
};

describe('runIdentity', () => {
  it('reads the run from the variables the runner sets', () => {
    expect(runIdentity(RUN)).toEqual({
      repository: 'example/app',
      runId: '9876543210',
      runAttempt: 2,
      sha: RUN.GITHUB_SHA,
      actor: 'octocat',
      workflowRef: RUN.GITHUB_WORKFLOW_REF,
      serverUrl: 'https://github.example.com',
    });
  });

  it('outside a run: no run id, attempt 1, github.com', () => {
    expect(runIdentity({})).toEqual({ runAttempt: 1, serverUrl: 'https://github.com' });
  });

  it("in a step, reads the run through @actions/github's Context, from the process's variables", () => {
    const saved = { ...process.env };
    Object.assign(process.env, RUN, { GITHUB_RUN_ID: '555', GITHUB_ACTOR: 'hubot' });
    delete process.env.GITHUB_EVENT_PATH;
    try {
      expect(runIdentity()).toMatchObject({
        runId: '555',
        runAttempt: 2,
        actor: 'hubot',
        repository: 'example/app',
      });
      expect(runIdentity(process.env).runId).toBe('555');
    } finally {
      for (const key of [...Object.keys(RUN), 'GITHUB_EVENT_PATH']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('takes the repository from the event payload when GITHUB_REPOSITORY is not set', () => {
    const saved = { ...process.env };
    const dir = mkdtempSync(path.join(tmpdir(), 'event-'));
    const eventPath = path.join(dir, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({ repository: { name: 'app', owner: { login: 'acme' } } }),
    );
    delete process.env.GITHUB_REPOSITORY;
    process.env.GITHUB_EVENT_PATH = eventPath;
    try {
      expect(runIdentity().repository).toBe('acme/app');
    } finally {
      for (const key of ['GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe('names and tokens from the run', () => {
  const identity = runIdentity(RUN);
  const local = runIdentity({});

  it('links to the run attempt and describes it in words', () => {
    expect(runUrl(identity)).toBe(
      'https://github.example.com/example/app/actions/runs/9876543210/attempts/2',
    );
    expect(runUrl(local)).toBeUndefined();
    expect(describeRun(identity)).toBe('example/app run 9876543210 attempt 2');
    expect(describeRun(local)).toBe('a local run');
  });

  it('startedBy: ECS characters only, at most 128, naming the tool and the run attempt', () => {
    expect(startedBy(identity, 'migrate')).toBe('three-tier-deploy/migrate/9876543210-2');
    expect(startedBy(local, 'migrate')).toBe('three-tier-deploy/migrate/local');
    const long = startedBy(identity, `db tunnel:${'x'.repeat(200)}`);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z0-9_/-]+$/);
  });

  it('clientToken: at most 64 printable ASCII, the same for one attempt, new for a re-run', () => {
    const token = clientToken(identity, 'migrate');
    expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(clientToken(runIdentity(RUN), 'migrate')).toBe(token);
    expect(clientToken({ ...identity, runAttempt: 3 }, 'migrate')).not.toBe(token);
    expect(clientToken({ ...identity, repository: 'other/app' }, 'migrate')).not.toBe(token);
    expect(clientToken(identity, 'seed')).not.toBe(token);
    expect(clientToken(identity, 'a purpose with spaces and a very long name indeed')).toMatch(
      /^[\x21-\x7e]{1,64}$/,
    );
  });

  it('changeSetName: a letter first, then letters, digits and hyphens; new each moment', () => {
    const name = changeSetName({ identity, prefix: 'provision', now: 1_700_000_000_000 });
    expect(name).toBe('provision-9876543210-2-loyw3v28');
    expect(changeSetName({ identity, prefix: 'provision', now: 1_700_000_000_001 })).not.toBe(name);
    expect(changeSetName({ identity: local, prefix: 'provision', now: 0 })).toBe(
      'provision-local-1-0',
    );
  });

  it('callerReference: the same for a retry in this process, different for other content', () => {
    const ref = callerReference({ identity, tool: 'publish-frontend', content: ['/a'] });
    expect(ref).toMatch(/^publish-frontend-9876543210-2-[0-9a-f]{8}-[0-9a-f]{16}$/);
    expect(callerReference({ identity, tool: 'publish-frontend', content: ['/a'] })).toBe(ref);
    expect(callerReference({ identity, tool: 'publish-frontend', content: ['/b'] })).not.toBe(ref);
    expect(callerReference({ identity: local, tool: 't', content: ['/a'] })).not.toBe(
      callerReference({ identity: local, tool: 't', content: ['/a'] }),
    );
  });
});
