/**
 * The stack policy from the `stack-policy` input: read and checked before any AWS call, then set
 * so that it already guards the run that introduces it. On an existing stack it is set before the
 * change set executes; a new stack gets it once the create completes (CreateChangeSet cannot
 * carry a policy, and nothing can update a stack while it is being created). Setting it is skipped
 * when the deployed policy already says the same, so a repeated run changes nothing.
 */
import { readFileSync } from 'node:fs';
import {
  type CloudFormationClient,
  GetStackPolicyCommand,
  SetStackPolicyCommand,
} from '@aws-sdk/client-cloudformation';
import { errorMessage, InputError } from '../../common/src/errors.js';

/** SetStackPolicy's limit for StackPolicyBody. */
export const STACK_POLICY_LIMIT = 16_384;

export interface StackPolicy {
  /** The input as the user wrote it, for messages and the summary. */
  input: string;
  /** The file's text, sent as it is (without a byte order mark). */
  body: string;
  document: { Statement: Record<string, unknown>[] };
  /**
   * False when no statement allows anything: once a stack has a policy, whatever it does not
   * allow is denied, so such a policy refuses every later update of the stack.
   */
  allowsUpdates: boolean;
}

const ACCEPTED =
  'a JSON stack policy file with a Statement array, e.g. {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "Update:Replace", "Resource": "LogicalResourceId/Database"}]}';

/** Reads and checks the policy file (which the input reader found to exist). */
export function loadStackPolicy(options: { path: string; input: string }): StackPolicy {
  const { input } = options;
  // A UTF-8 byte order mark (editors on Windows write one) is no part of the policy: JSON.parse
  // refuses it with a message showing an invisible character. Templates are read past it too.
  const body = readFileSync(options.path, 'utf8').replace(/^\uFEFF/, '');
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > STACK_POLICY_LIMIT) {
    throw new InputError(
      'stack-policy',
      input,
      `a stack policy of at most ${STACK_POLICY_LIMIT.toLocaleString('en')} bytes, SetStackPolicy's limit (this one is ${bytes.toLocaleString('en')} bytes)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    // Stack policies are JSON only (CloudFormation accepts no YAML for them).
    throw new InputError(
      'stack-policy',
      input,
      `${ACCEPTED} (the file is not valid JSON: ${errorMessage(error)})`,
    );
  }
  const statements = isMapping(parsed) ? parsed.Statement : undefined;
  if (!Array.isArray(statements) || statements.length === 0) {
    throw new InputError(
      'stack-policy',
      input,
      `${ACCEPTED} (the file has no non-empty Statement array at its top level)`,
    );
  }
  for (const [index, statement] of statements.entries()) {
    if (!isMapping(statement) || (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')) {
      throw new InputError(
        'stack-policy',
        input,
        `${ACCEPTED} (statement ${index + 1} needs "Effect": "Allow" or "Deny")`,
      );
    }
  }
  return {
    input,
    body,
    document: { Statement: statements as Record<string, unknown>[] },
    allowsUpdates: statements.some((statement) => statement.Effect === 'Allow'),
  };
}

/**
 * True when the deployed policy body means the same as the wanted one: compared as JSON, so
 * whitespace and key order (which CloudFormation may not keep) do not count as a change.
 */
export function samePolicy(deployed: string | undefined, wanted: StackPolicy): boolean {
  if (deployed === undefined || deployed.trim() === '') return false;
  try {
    return canonical(JSON.parse(deployed)) === canonical(wanted.document);
  } catch {
    return deployed.trim() === wanted.body.trim();
  }
}

export async function deployedPolicy(
  client: CloudFormationClient,
  stackId: string,
): Promise<string | undefined> {
  const response = await client.send(new GetStackPolicyCommand({ StackName: stackId }));
  return response.StackPolicyBody;
}

export type PolicyOutcome =
  /** SetStackPolicy was called. */
  | 'set'
  /** The deployed policy already matched: no call. */
  | 'unchanged'
  /** Preview: a deploy run would set it. */
  | 'would-set';

export interface GuardOptions {
  client: CloudFormationClient;
  stackId: string;
  policy: StackPolicy;
  /** A stack this run has just created has no policy yet, so there is nothing to compare. */
  isNew: boolean;
  /** Preview: compare only, change nothing. */
  preview: boolean;
}

/** Sets the policy unless the stack already has it (or, in preview, says what a deploy would do). */
export async function guardStack(options: GuardOptions): Promise<PolicyOutcome> {
  const { client, stackId, policy } = options;
  if (!options.isNew && samePolicy(await deployedPolicy(client, stackId), policy)) {
    return 'unchanged';
  }
  if (options.preview) return 'would-set';
  await client.send(
    new SetStackPolicyCommand({ StackName: stackId, StackPolicyBody: policy.body }),
  );
  return 'set';
}

/**
 * When a deploy sets the stack policy, decided from the change set's type alone: an existing
 * stack gets it before the change set executes, so the policy already guards this very update; a
 * new stack has nothing to attach a policy to until the create completes, so it gets it after.
 */
export type PolicyMoment = 'before-execute' | 'after-create';

export function policyMoment(changeSetType: 'CREATE' | 'UPDATE'): PolicyMoment {
  return changeSetType === 'UPDATE' ? 'before-execute' : 'after-create';
}

/** One line for the log and the summary. */
export function describePolicyOutcome(outcome: PolicyOutcome, policy: StackPolicy): string {
  switch (outcome) {
    case 'set':
      return `set from ${policy.input}`;
    case 'unchanged':
      return `unchanged (the stack already has the policy in ${policy.input})`;
    case 'would-set':
      return `would be set from ${policy.input} (preview: not set)`;
  }
}

/** A failure reason saying the stack policy refused the action (`Action denied by stack policy: ...`). */
export function isPolicyDenial(reason: string | undefined): boolean {
  return /denied by stack policy/i.test(reason ?? '');
}

function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isMapping(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
