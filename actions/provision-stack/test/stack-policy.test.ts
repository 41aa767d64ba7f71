import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  GetStackPolicyCommand,
  SetStackPolicyCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { readInputs } from '../src/inputs.js';
import {
  guardStack,
  isPolicyDenial,
  loadStackPolicy,
  policyMoment,
  samePolicy,
  STACK_POLICY_LIMIT,
  type StackPolicy,
} from '../src/stack-policy.js';
import { FIXTURES } from './helpers.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f2e3d';
const dir = mkdtempSync(path.join(tmpdir(), 'stack-policy-'));

/** Writes `text` to a file and loads it as the stack-policy input would. */
function load(text: string): StackPolicy {
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, text);
  return loadStackPolicy({ path: file, input: 'policy.json' });
}

function failure(text: string): InputError {
  try {
    load(text);
  } catch (error) {
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

const policy = (): StackPolicy =>
  loadStackPolicy({ path: path.join(FIXTURES, 'stack-policy.json'), input: 'stack-policy.json' });

describe('loadStackPolicy', () => {
  it('reads the policies that ship with the templates', () => {
    for (const name of ['app.stack-policy.json', 'data.stack-policy.json']) {
      const file = path.join(REPO, 'cloudformation', name);
      const loaded = loadStackPolicy({ path: file, input: `cloudformation/${name}` });
      expect(loaded.body).toBe(readFileSync(file, 'utf8'));
      expect(loaded.document.Statement.map((statement) => statement.Effect)).toEqual([
        'Allow',
        'Deny',
      ]);
      expect(loaded.allowsUpdates).toBe(true);
    }
  });

  it('knows a policy without an Allow statement refuses every update', () => {
    const denyOnly = { Effect: 'Deny', Principal: '*', Action: 'Update:Delete', Resource: '*' };
    expect(load(JSON.stringify({ Statement: [denyOnly] })).allowsUpdates).toBe(false);
  });

  it('accepts a file that starts with a UTF-8 byte order mark, as templates are (issue 16 #16)', () => {
    // Editors on Windows save one; JSON.parse refuses it, and its message shows an invisible
    // character. The mark is not part of the policy: the body sent is the text after it.
    const text = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'Update:*', Resource: '*' }],
    });
    const loaded = load(`\uFEFF${text}`);
    expect(loaded.body).toBe(text);
    expect(loaded.allowsUpdates).toBe(true);
    expect(samePolicy(text, loaded)).toBe(true);
  });

  it('refuses a file that is not JSON, naming the input and the parse error', () => {
    const error = failure('Statement:\n  - Effect: Deny\n');
    expect(error).toBeInstanceOf(InputError);
    expect(error.input).toBe('stack-policy');
    expect(error.message).toMatch(
      /^Input 'stack-policy': got "policy\.json"; expected a JSON stack policy file with a Statement array.*\(the file is not valid JSON: /,
    );
  });

  it('refuses JSON without a non-empty Statement array', () => {
    for (const text of ['[]', '{}', '{"Statement": {"Effect": "Deny"}}', '{"Statement": []}']) {
      expect(failure(text).message).toMatch(/no non-empty Statement array at its top level/);
    }
  });

  it('refuses a statement without Effect Allow or Deny, naming which one', () => {
    const error = failure(
      JSON.stringify({ Statement: [{ Effect: 'Allow' }, { Effect: 'deny', Action: 'Update:*' }] }),
    );
    expect(error.message).toMatch(/statement 2 needs "Effect": "Allow" or "Deny"/);
  });

  it('refuses a policy over SetStackPolicy limit of 16,384 bytes', () => {
    const statement = { Effect: 'Deny', Principal: '*', Action: 'Update:*', Resource: '*' };
    const compact = JSON.stringify({ Statement: [statement] });
    // Valid JSON of exactly `bytes` bytes: blanks before the closing brace.
    const sized = (bytes: number) =>
      `${compact.slice(0, -1)}${' '.repeat(bytes - compact.length)}}`;
    expect(failure(sized(STACK_POLICY_LIMIT + 1)).message).toMatch(
      /at most 16,384 bytes, SetStackPolicy's limit \(this one is 16,385 bytes\)/,
    );
    const exact = sized(STACK_POLICY_LIMIT);
    expect(Buffer.byteLength(exact)).toBe(STACK_POLICY_LIMIT);
    expect(() => load(exact)).not.toThrow();
  });

  it('is checked as an input: a missing file names stack-policy and where it looked', () => {
    const read = (values: Record<string, string>) =>
      readInputs(new Inputs((name) => values[name] ?? '', FIXTURES));
    const base = { template: 'app.yaml', 'stack-name': 'app' };
    expect(read(base).stackPolicyPath).toBeUndefined();
    expect(read({ ...base, 'stack-policy': 'stack-policy.json' }).stackPolicyPath).toBe(
      path.join(FIXTURES, 'stack-policy.json'),
    );
    expect(() => read({ ...base, 'stack-policy': 'policies/none.json' })).toThrow(
      `Input 'stack-policy': got "policies/none.json"; expected a path to an existing file (${path.join(FIXTURES, 'policies/none.json')} does not exist).`,
    );
  });
});

describe('samePolicy', () => {
  it('compares as JSON: whitespace and key order are no change', () => {
    const wanted = policy();
    const reordered = {
      Statement: wanted.document.Statement.map((statement) =>
        Object.fromEntries(Object.entries(statement).reverse()),
      ),
    };
    expect(samePolicy(wanted.body, wanted)).toBe(true);
    expect(samePolicy(JSON.stringify(reordered), wanted)).toBe(true);
  });

  it('sees a different statement, statement order, a missing policy, or a body that is not JSON', () => {
    const wanted = policy();
    const [allow, deny] = wanted.document.Statement;
    const changed = { Statement: [allow, { ...deny, Action: 'Update:Delete' }] };
    expect(samePolicy(JSON.stringify(changed), wanted)).toBe(false);
    expect(samePolicy(JSON.stringify({ Statement: [deny, allow] }), wanted)).toBe(false);
    expect(samePolicy(undefined, wanted)).toBe(false);
    expect(samePolicy('', wanted)).toBe(false);
    expect(samePolicy('not json', wanted)).toBe(false);
  });
});

describe('guardStack', () => {
  const cfn = mockClient(CloudFormationClient);
  const client = new CloudFormationClient({ region: 'us-east-1' });
  beforeEach(() => void cfn.reset());

  it('sets the policy on an existing stack whose policy differs', async () => {
    cfn.on(GetStackPolicyCommand).resolves({ StackPolicyBody: '{"Statement":[]}' });
    cfn.on(SetStackPolicyCommand).resolves({});
    const wanted = policy();
    expect(
      await guardStack({ client, stackId: STACK_ID, policy: wanted, isNew: false, preview: false }),
    ).toBe('set');
    expect(cfn.commandCalls(GetStackPolicyCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
    });
    expect(cfn.commandCalls(SetStackPolicyCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      StackPolicyBody: wanted.body,
    });
  });

  it('sets it on a stack without a policy (GetStackPolicy returns no body)', async () => {
    cfn.on(GetStackPolicyCommand).resolves({});
    cfn.on(SetStackPolicyCommand).resolves({});
    expect(
      await guardStack({
        client,
        stackId: STACK_ID,
        policy: policy(),
        isNew: false,
        preview: false,
      }),
    ).toBe('set');
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(1);
  });

  it('leaves an identical policy alone', async () => {
    const wanted = policy();
    cfn.on(GetStackPolicyCommand).resolves({ StackPolicyBody: JSON.stringify(wanted.document) });
    expect(
      await guardStack({ client, stackId: STACK_ID, policy: wanted, isNew: false, preview: false }),
    ).toBe('unchanged');
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(0);
  });

  it('sets it on a new stack without reading it first', async () => {
    cfn.on(SetStackPolicyCommand).resolves({});
    expect(
      await guardStack({
        client,
        stackId: STACK_ID,
        policy: policy(),
        isNew: true,
        preview: false,
      }),
    ).toBe('set');
    expect(cfn.commandCalls(GetStackPolicyCommand)).toHaveLength(0);
  });

  it('in preview only reads: would-set or unchanged', async () => {
    const wanted = policy();
    cfn.on(GetStackPolicyCommand).resolvesOnce({}).resolves({ StackPolicyBody: wanted.body });
    const guard = (isNew: boolean) =>
      guardStack({ client, stackId: STACK_ID, policy: wanted, isNew, preview: true });
    expect(await guard(false)).toBe('would-set');
    expect(await guard(false)).toBe('unchanged');
    expect(await guard(true)).toBe('would-set');
    expect(cfn.commandCalls(SetStackPolicyCommand)).toHaveLength(0);
    expect(cfn.commandCalls(GetStackPolicyCommand)).toHaveLength(2);
  });
});

describe('isPolicyDenial', () => {
  it('recognises the reason CloudFormation gives when a stack policy refuses an update', () => {
    expect(
      isPolicyDenial(
        'Action denied by stack policy: Statement #1 of stack policy: Deny Update:Replace on LogicalResourceId/DatabaseCluster',
      ),
    ).toBe(true);
    expect(isPolicyDenial('Resource handler returned message: "Access Denied"')).toBe(false);
    expect(isPolicyDenial(undefined)).toBe(false);
  });
});

describe('policyMoment', () => {
  it('sets the policy of an existing stack before executing, of a new one after the create', () => {
    expect(policyMoment('UPDATE')).toBe('before-execute');
    expect(policyMoment('CREATE')).toBe('after-create');
  });
});
