import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from '../src/errors.js';
import * as core from '@actions/core';
import type { ActionContext, ActionDefinition } from '../src/context.js';
import type { Inputs } from '../src/inputs.js';
import { POST_MARK, runMain } from '../src/run-main.js';

describe('runMain', () => {
  let printed: string[];
  let summaryFile: string | undefined;
  const saved = { exitCode: process.exitCode, summary: process.env.GITHUB_STEP_SUMMARY };

  beforeEach(() => {
    printed = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    // One file for the whole file: @actions/core's summary keeps the first path it wrote to.
    summaryFile ??= path.join(mkdtempSync(path.join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(summaryFile, '');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    process.exitCode = undefined;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = saved.exitCode;
    process.env.GITHUB_STEP_SUMMARY = saved.summary;
  });

  /** A definition that needs no inputs, around one pipeline. */
  const pipeline = (
    run: () => Promise<void>,
    resource?: string,
  ): ActionDefinition<{ timeoutMs: number }> => ({
    name: 'demo-action',
    readInputs: () => ({ timeoutMs: 60_000 }),
    ...(resource ? { resource: () => resource } : {}),
    run,
  });

  it('reports a failure once, titled, with the fix, in the log and the summary, and fails the step', async () => {
    await runMain(
      pipeline(async () => {
        throw new ActionError(
          'Protected resource would be replaced',
          'Database (AWS::RDS::DBCluster) would be replaced.',
          'List it in allow-replacement.',
        );
      }),
    );
    expect(process.exitCode).toBe(1);
    const annotations = printed.filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual([
      '::error title=Protected resource would be replaced::Database (AWS::RDS::DBCluster) would be replaced.%0AFix: List it in allow-replacement.\n',
    ]);
    const summary = readFileSync(summaryFile as string, 'utf8');
    expect(summary).toContain('Failed: Protected resource would be replaced');
    expect(summary).toContain('List it in allow-replacement.');
  });

  it('names the resource the action was working on in AWS errors', async () => {
    await runMain(
      pipeline(async () => {
        const error = Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $metadata: {},
        });
        throw error;
      }, 'stack app-prod'),
    );
    expect(printed.join('')).toContain('Throttling (stack app-prod): Rate exceeded');
  });

  it('leaves the exit code alone when the action succeeds', async () => {
    await runMain(pipeline(async () => undefined));
    expect(process.exitCode).toBeUndefined();
    expect(printed.join('')).not.toContain('::error');
  });

  describe('with an action definition', () => {
    type DemoInputs = { stack: string; timeoutMs: number };
    const definition = (run: () => Promise<void>): ActionDefinition<DemoInputs> => ({
      name: 'demo-action',
      readInputs: (inputs: Inputs) => ({
        stack: inputs.string('stack', { required: true }),
        timeoutMs: 60_000,
      }),
      resource: (inputs) => `stack ${inputs.stack}`,
      run,
    });

    it('reads inputs from INPUT_* variables and writes the summary on success', async () => {
      const seen: string[] = [];
      await runMain(
        {
          ...definition(async () => undefined),
          run: async (context: ActionContext<DemoInputs>) => {
            seen.push(context.inputs.stack, String(context.deadline.budgetMs));
            core.summary.addRaw('sections the action added');
          },
        },
        { env: { ...process.env, INPUT_STACK: 'app-prod' } },
      );
      expect(process.exitCode).toBeUndefined();
      expect(seen).toEqual(['app-prod', '60000']);
      expect(readFileSync(summaryFile as string, 'utf8')).toContain('sections the action added');
    });

    it('names the resource computed from the inputs in an AWS error', async () => {
      await runMain(
        definition(async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
        }),
        { env: { ...process.env, INPUT_STACK: 'app-prod' } },
      );
      expect(process.exitCode).toBe(1);
      expect(printed.join('')).toContain('Throttling (stack app-prod): Rate exceeded');
    });

    it('fails on a bad input before the pipeline runs', async () => {
      let ran = false;
      await runMain(
        definition(async () => {
          ran = true;
        }),
        { env: { ...process.env, INPUT_STACK: '' } },
      );
      expect(ran).toBe(false);
      expect(printed.join('')).toContain('::error title=Invalid input%3A stack::');
    });
  });

  describe('the post step', () => {
    const POST_STATE = `STATE_${POST_MARK}`;
    afterEach(() => {
      delete process.env[POST_STATE];
      delete process.env.STATE_task;
    });

    const withPost = (calls: string[]): ActionDefinition<{ timeoutMs: number }> => ({
      ...pipeline(async () => void calls.push('main')),
      post: async (context) => void calls.push(`post:${context.state.get('task')}`),
    });

    it('runs the main step first, and marks the state so the next run of the bundle is the post step', async () => {
      const calls: string[] = [];
      const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'state-')), 'state');
      writeFileSync(stateFile, '');
      const savedState = process.env.GITHUB_STATE;
      process.env.GITHUB_STATE = stateFile;
      try {
        await runMain(withPost(calls));
      } finally {
        process.env.GITHUB_STATE = savedState;
      }
      expect(calls).toEqual(['main']);
      expect(readFileSync(stateFile, 'utf8')).toContain(POST_MARK);
    });

    it('runs post, not run, when the runner runs the bundle again with the saved state', async () => {
      const calls: string[] = [];
      process.env[POST_STATE] = 'true';
      process.env.STATE_task = 'arn:aws:ecs:eu-west-1:123456789012:task/c/abc';
      await runMain(withPost(calls));
      expect(calls).toEqual(['post:arn:aws:ecs:eu-west-1:123456789012:task/c/abc']);
      expect(process.exitCode).toBeUndefined();
    });

    it('does nothing in the post step of an action without one', async () => {
      const calls: string[] = [];
      process.env[POST_STATE] = 'true';
      await runMain(pipeline(async () => void calls.push('main')));
      expect(calls).toEqual([]);
    });
  });
});
