import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from '../src/errors.js';
import { runMain } from '../src/run-main.js';

describe('runMain', () => {
  let printed: string[];
  let summaryFile: string;
  const saved = { exitCode: process.exitCode, summary: process.env.GITHUB_STEP_SUMMARY };

  beforeEach(() => {
    printed = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    summaryFile = path.join(mkdtempSync(path.join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(summaryFile, '');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    process.exitCode = undefined;
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = saved.exitCode;
    process.env.GITHUB_STEP_SUMMARY = saved.summary;
  });

  it('reports a failure once, titled, with the fix, in the log and the summary, and fails the step', async () => {
    await runMain(async () => {
      throw new ActionError(
        'Protected resource would be replaced',
        'Database (AWS::RDS::DBCluster) would be replaced.',
        'List it in allow-replacement.',
      );
    });
    expect(process.exitCode).toBe(1);
    const annotations = printed.filter((line) => line.startsWith('::error'));
    expect(annotations).toEqual([
      '::error title=Protected resource would be replaced::Database (AWS::RDS::DBCluster) would be replaced.%0AFix: List it in allow-replacement.\n',
    ]);
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('Failed: Protected resource would be replaced');
    expect(summary).toContain('List it in allow-replacement.');
  });

  it('names the resource the action was working on in AWS errors', async () => {
    await runMain(async (context) => {
      context.resource = 'stack app-prod';
      const error = Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $metadata: {},
      });
      throw error;
    });
    expect(printed.join('')).toContain('Throttling (stack app-prod): Rate exceeded');
  });

  it('leaves the exit code alone when the action succeeds', async () => {
    await runMain(async () => undefined);
    expect(process.exitCode).toBeUndefined();
    expect(printed.join('')).not.toContain('::error');
  });
});
