import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Inputs } from '../../common/src/inputs.js';
import { DEFAULT_PROTECT, readInputs } from '../src/inputs.js';
import { FIXTURES } from './helpers.js';

function read(values: Record<string, string>, asked: string[] = []) {
  const source = (name: string) => {
    asked.push(name);
    return values[name] ?? '';
  };
  return readInputs(new Inputs(source, FIXTURES));
}

const minimal = { template: 'app.yaml', 'stack-name': 'app' };

describe('readInputs', () => {
  it('reads exactly the inputs action.yml declares', () => {
    const asked: string[] = [];
    read(minimal, asked);
    const metadata = parse(readFileSync(path.join(FIXTURES, '..', '..', 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description: string; default?: string }>;
    };
    expect([...new Set(asked)].sort()).toEqual(Object.keys(metadata.inputs).sort());
    for (const input of Object.values(metadata.inputs))
      expect(input.description.length).toBeGreaterThan(10);
    expect(metadata.inputs.protect?.default).toBe(DEFAULT_PROTECT.join(','));
  });

  it('has defaults that deploy safely', () => {
    expect(read(minimal)).toMatchObject({
      stackName: 'app',
      templatePath: path.join(FIXTURES, 'app.yaml'),
      capabilities: ['CAPABILITY_NAMED_IAM'],
      terminationProtection: undefined,
      disableRollback: false,
      mode: 'deploy',
      protect: DEFAULT_PROTECT,
      allowReplacement: [],
      onRollbackComplete: 'fail',
      timeoutMs: 60 * 60_000,
    });
  });

  it('reads termination-protection as true, false or leave-alone', () => {
    expect(read({ ...minimal, 'termination-protection': 'true' }).terminationProtection).toBe(true);
    expect(read({ ...minimal, 'termination-protection': 'false' }).terminationProtection).toBe(
      false,
    );
    expect(() => read({ ...minimal, 'termination-protection': 'maybe' })).toThrow(
      /termination-protection/,
    );
  });

  it('accepts `none` to protect nothing, and known capabilities only', () => {
    expect(read({ ...minimal, protect: 'none' }).protect).toEqual([]);
    expect(
      read({ ...minimal, capabilities: 'capability_iam, CAPABILITY_AUTO_EXPAND' }).capabilities,
    ).toEqual(['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND']);
    expect(() => read({ ...minimal, capabilities: 'CAPABILITY_ALL' })).toThrow(
      /Input 'capabilities': got "CAPABILITY_ALL"; expected a list of CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND/,
    );
  });

  it('names the input and what it accepts for a bad stack name, role or bucket', () => {
    expect(() => read({ ...minimal, 'stack-name': '1app' })).toThrow(
      /Input 'stack-name': got "1app"/,
    );
    expect(() => read({ ...minimal, 'stack-name': 'a'.repeat(129) })).toThrow(
      /at most 128 characters/,
    );
    expect(() => read({ ...minimal, 'role-arn': 'cfn-role' })).toThrow(
      /Input 'role-arn'.*IAM role ARN/,
    );
    expect(() => read({ ...minimal, 'template-bucket': 's3://bucket' })).toThrow(
      /Input 'template-bucket'.*without s3:\/\//,
    );
  });

  it('reads the timeout in minutes or as a duration', () => {
    expect(read({ ...minimal, 'timeout-minutes': '30' }).timeoutMs).toBe(30 * 60_000);
    expect(read({ ...minimal, 'timeout-minutes': '1h30m' }).timeoutMs).toBe(90 * 60_000);
  });
});
