/**
 * Preflight: the task role allows the four `ssmmessages` channel actions the ECS Exec agent needs
 * (the task IAM role page, "ECS Exec permissions":
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html, and
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
 * Without them the agent never connects and StartSession fails with TargetNotConnectedException.
 *
 * How it looks, in order of what a person's credentials can usually do:
 * 1. iam:SimulatePrincipalPolicy on the role: AWS's own evaluation, including permission
 *    boundaries (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
 *    ReadOnlyAccess allows it; so does any admin.
 * 2. If that is denied (or not implemented, as in moto): read the role's policies itself with
 *    iam:ListRolePolicies/GetRolePolicy and iam:ListAttachedRolePolicies/GetPolicy/GetPolicyVersion
 *    (SecurityAudit and ReadOnlyAccess allow these) and evaluate their Allow/Deny statements for the
 *    four actions. Conditions and boundaries are not evaluated there; the result says so.
 * 3. If both are denied, the check is `unknown`, not a failure: the person may still connect.
 * Service control policies apply to the account's principals, not visible from here, either way.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { awsErrorCode } from '../../../actions/common/src/errors.js';
import type { CheckResult } from './checks.js';

export const CHANNEL_ACTIONS = [
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

const FIX_POLICY =
  'give the task role an Allow for ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel on "*" (app.yaml\'s TaskRole has them as EcsExecChannels; update the app stack).';

export type Decision = 'allowed' | 'denied' | 'not-allowed';

/** One IAM policy statement, as the JSON policy grammar has it (strings or lists). */
export interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: unknown;
}

export interface PolicyDocument {
  Statement?: PolicyStatement | PolicyStatement[];
}

export interface Evaluation {
  decisions: Record<string, Decision>;
  /** Allows that hold only under a condition this evaluator does not check. */
  conditional: string[];
}

/**
 * The decision for each action on resource `*` over a set of identity policies: an explicit Deny
 * wins, then any Allow, else not allowed (the IAM evaluation logic without boundaries, SCPs or
 * conditions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  actions: readonly string[] = CHANNEL_ACTIONS,
): Evaluation {
  const decisions: Record<string, Decision> = {};
  const conditional = new Set<string>();
  for (const action of actions) {
    let allowed = false;
    let denied = false;
    for (const document of documents) {
      for (const statement of [document.Statement ?? []].flat()) {
        if (!coversAction(statement, action) || !coversAnyResource(statement)) continue;
        const effect = (statement.Effect ?? '').toLowerCase();
        // A Deny with a condition may not apply; a conditional Allow may not either. Only an
        // unconditional Deny is certain; a conditional Allow is counted but reported.
        if (effect === 'deny' && statement.Condition === undefined) denied = true;
        if (effect === 'allow') {
          allowed = true;
          if (statement.Condition !== undefined) conditional.add(action);
        }
      }
    }
    decisions[action] = denied ? 'denied' : allowed ? 'allowed' : 'not-allowed';
  }
  return { decisions, conditional: [...conditional] };
}

function coversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined)
    return [statement.Action].flat().some((pattern) => wildcardMatch(pattern, action));
  if (statement.NotAction !== undefined)
    return ![statement.NotAction].flat().some((pattern) => wildcardMatch(pattern, action));
  return false;
}

/** The channel actions have no resource-level permissions: only `*` (or a pattern of it) grants them. */
function coversAnyResource(statement: PolicyStatement): boolean {
  if (statement.Resource !== undefined) return [statement.Resource].flat().some((r) => r === '*');
  if (statement.NotResource !== undefined) return false;
  return false;
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((char) =>
        char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
    'i',
  );
  return regex.test(value);
}

/** The role's name from its ARN: `arn:aws:iam::123:role/path/name` → `name`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** Policy documents come URL-encoded from GetRolePolicy and GetPolicyVersion. */
export function decodePolicy(text: string | undefined): PolicyDocument {
  if (!text) return {};
  const json = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
  return JSON.parse(json) as PolicyDocument;
}

const UNAVAILABLE = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NotImplemented',
  'InvalidAction',
  'UnknownOperationException',
]);

/** The check: who allows what, and the one-line fix when something is missing. */
export async function checkTaskRole(options: {
  iam: IAMClient;
  roleArn: string | undefined;
}): Promise<CheckResult> {
  const name = 'task role allows the ECS Exec channels';
  const { iam, roleArn } = options;
  if (!roleArn) {
    return {
      name,
      status: 'failed',
      detail:
        "the service's task definition has no task role, so the ECS Exec agent has no credentials",
      fix: `set taskRoleArn in the task definition to a role that allows the ssmmessages channel actions: ${FIX_POLICY}`,
    };
  }
  const role = roleNameOf(roleArn);
  const noSuchRole: CheckResult = {
    name,
    status: 'failed',
    detail: `the task role ${role} does not exist`,
    fix: 'update the app stack (it creates the task role), or fix taskRoleArn in the task definition.',
  };
  let simulated: Record<string, Decision> | undefined;
  try {
    simulated = await simulate(iam, roleArn);
  } catch (error) {
    if (isNoSuchEntity(error)) return noSuchRole;
    if (!isUnavailable(error)) throw error;
  }
  if (simulated) return verdict({ name, role, decisions: simulated, how: 'IAM policy simulator' });

  let documents: PolicyDocument[];
  try {
    documents = await rolePolicies(iam, role);
  } catch (error) {
    if (isNoSuchEntity(error)) return noSuchRole;
    if (!isUnavailable(error)) throw error;
    return {
      name,
      status: 'unknown',
      detail: `your credentials may not read role ${role} (iam:SimulatePrincipalPolicy and iam:GetRolePolicy were denied); not checked`,
      fix: 'nothing to do if the tunnel connects; if it fails with TargetNotConnectedException, ask an admin to check the task role.',
    };
  }
  const evaluation = evaluatePolicies(documents);
  const result = verdict({ name, role, decisions: evaluation.decisions, how: 'its policies' });
  if (result.status === 'ok' && evaluation.conditional.length > 0) {
    result.detail += ` (under a condition this check does not evaluate: ${evaluation.conditional.join(', ')})`;
  }
  return result;
}

function verdict(options: {
  name: string;
  role: string;
  decisions: Record<string, Decision>;
  how: string;
}): CheckResult {
  const missing = Object.entries(options.decisions).filter(
    ([, decision]) => decision !== 'allowed',
  );
  if (missing.length === 0) {
    return {
      name: options.name,
      status: 'ok',
      detail: `role ${options.role} allows the four ssmmessages actions (${options.how})`,
    };
  }
  return {
    name: options.name,
    status: 'failed',
    detail: `role ${options.role} ${missing
      .map(
        ([action, decision]) => `${decision === 'denied' ? 'denies' : 'does not allow'} ${action}`,
      )
      .join(', ')} (${options.how})`,
    fix: FIX_POLICY,
  };
}

async function simulate(iam: IAMClient, roleArn: string): Promise<Record<string, Decision>> {
  const answer = await iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: roleArn,
      ActionNames: [...CHANNEL_ACTIONS],
      ResourceArns: ['*'],
    }),
  );
  const decisions: Record<string, Decision> = {};
  for (const action of CHANNEL_ACTIONS) {
    const result = answer.EvaluationResults?.find((entry) => entry.EvalActionName === action);
    // EvalDecision: allowed | explicitDeny | implicitDeny.
    decisions[action] =
      result?.EvalDecision === 'allowed'
        ? 'allowed'
        : result?.EvalDecision === 'explicitDeny'
          ? 'denied'
          : 'not-allowed';
  }
  return decisions;
}

async function rolePolicies(iam: IAMClient, role: string): Promise<PolicyDocument[]> {
  const documents: PolicyDocument[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: role, Marker: marker }));
    for (const policyName of page.PolicyNames ?? []) {
      const policy = await iam.send(
        new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName }),
      );
      documents.push(decodePolicy(policy.PolicyDocument));
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  do {
    const page = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: role, Marker: marker }),
    );
    for (const attached of page.AttachedPolicies ?? []) {
      if (!attached.PolicyArn) continue;
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: attached.PolicyArn }));
      const version = await iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: attached.PolicyArn,
          VersionId: policy.Policy?.DefaultVersionId,
        }),
      );
      documents.push(decodePolicy(version.PolicyVersion?.Document));
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return documents;
}

/** IAM's error code is NoSuchEntity; SDK v3 names the exception NoSuchEntityException. */
function isNoSuchEntity(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

function isUnavailable(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code !== undefined && UNAVAILABLE.has(code)) return true;
  // moto answers operations it lacks with HTTP 500 and a "not yet implemented" text.
  return error instanceof Error && /not (yet )?implemented/i.test(error.message);
}
