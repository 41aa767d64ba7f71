import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFileCommand } from '../../../test-support/run-action.js';
import { setOutputs } from '../src/outputs.js';

let outputFile: string;
let stdout: string[];

beforeEach(() => {
  outputFile = path.join(mkdtempSync(path.join(tmpdir(), 'outputs-')), 'output');
  writeFileSync(outputFile, '');
  process.env.GITHUB_OUTPUT = outputFile;
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.GITHUB_OUTPUT;
});

// Stack shape: DescribeStacks, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html
// (Output keys are alphanumeric, so of the built-in names only `changed` can be spelt by one.)
const stack = (outputs: Record<string, string>): Stack => ({
  StackName: 'app',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
  StackStatus: 'UPDATE_COMPLETE',
  CreationTime: new Date(0),
  Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
});

describe('setOutputs (issue 16 #12)', () => {
  it('writes each stack output under its name, all of them as JSON, and what the run did', () => {
    setOutputs({ stack: stack({ VpcId: 'vpc-1' }), changed: true, changeSetId: 'cs-1' });
    expect(parseFileCommand(readFileSync(outputFile, 'utf8'))).toEqual({
      VpcId: 'vpc-1',
      'outputs-json': '{"VpcId":"vpc-1"}',
      'stack-id': 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
      'stack-status': 'UPDATE_COMPLETE',
      changed: 'true',
      'change-set-id': 'cs-1',
    });
  });

  it('does not let a stack output named like a built-in one (in any case) overwrite it, and says so', () => {
    setOutputs({ stack: stack({ Changed: 'yes please', VpcId: 'vpc-1' }), changed: false });
    const written = parseFileCommand(readFileSync(outputFile, 'utf8'));
    // GitHub reads steps.<id>.outputs.<name> without regard to case, so Changed is changed.
    expect(Object.keys(written).filter((name) => name.toLowerCase() === 'changed')).toEqual([
      'changed',
    ]);
    expect(written.changed).toBe('false');
    expect(JSON.parse(written['outputs-json'] as string)).toEqual({
      Changed: 'yes please',
      VpcId: 'vpc-1',
    });
    expect(stdout.join('')).toContain(
      "::warning title=Stack output hidden by a built-in output::Stack output Changed has the name of provision-stack's own output changed (output names are read without regard to case), which holds what this run did. Read the stack's value as fromJSON(steps.<id>.outputs.outputs-json).Changed, or rename the output in the template.",
    );
  });
});
