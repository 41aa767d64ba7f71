/**
 * The workflow run a step belongs to, read once through @actions/github's `context`, and every name
 * or token the actions build from it: change-set names, CloudFront CallerReference, ECS `startedBy`
 * and RunTask `clientToken`. One place, so the rules (allowed characters, lengths, what is unique
 * per run, attempt or process) are written once.
 */
import { createHash, randomUUID } from 'node:crypto';
// @actions/github's Context class, from its own module: the package's entry point also loads Octokit
// (getOctokit), some 160 KB of every bundle that no action here uses. The package exports only its
// entry point, hence the path; lib/context.js imports nothing but node:fs and node:os.
import { Context } from '../../../node_modules/@actions/github/lib/context.js';

export interface RunIdentity {
  /** `owner/name`; undefined outside a workflow run (a local run). */
  repository?: string;
  /** GITHUB_RUN_ID; undefined outside a workflow run. */
  runId?: string;
  /** GITHUB_RUN_ATTEMPT: 1 for the first attempt, 2 for the first re-run, ... */
  runAttempt: number;
  sha?: string;
  actor?: string;
  /** GITHUB_WORKFLOW_REF: `owner/name/.github/workflows/deploy.yml@refs/heads/main`. */
  workflowRef?: string;
  /** `https://github.com`, or a GitHub Enterprise Server's address. */
  serverUrl: string;
}

/** The fields of @actions/github's Context this module reads (it hydrates them from the env). */
interface ContextFields {
  runId: number;
  runAttempt: number;
  sha?: string;
  actor?: string;
  serverUrl?: string;
}

/**
 * The run of this step. Without `env` (or with `process.env`) it is @actions/github's Context,
 * which hydrates itself from the runner's variables (and the event payload). Another `env` (an
 * in-process test, an action's `context.env`) is read the way that Context reads process.env,
 * field by field.
 */
export function runIdentity(env: NodeJS.ProcessEnv = process.env): RunIdentity {
  const fromProcess = env === process.env;
  const github = fromProcess ? new Context() : undefined;
  const fields: ContextFields = github ?? contextFieldsOf(env);
  const repository = github ? repositoryOf(() => github.repo) : env.GITHUB_REPOSITORY;
  return {
    repository: repository || undefined,
    runId: Number.isFinite(fields.runId) && fields.runId > 0 ? String(fields.runId) : undefined,
    runAttempt: Number.isFinite(fields.runAttempt) && fields.runAttempt > 0 ? fields.runAttempt : 1,
    sha: fields.sha || undefined,
    actor: fields.actor || undefined,
    workflowRef: env.GITHUB_WORKFLOW_REF || undefined,
    serverUrl: (fields.serverUrl || 'https://github.com').replace(/\/+$/, ''),
  };
}

function contextFieldsOf(env: NodeJS.ProcessEnv): ContextFields {
  return {
    runId: parseInt(env.GITHUB_RUN_ID ?? '', 10),
    runAttempt: parseInt(env.GITHUB_RUN_ATTEMPT ?? '', 10),
    sha: env.GITHUB_SHA,
    actor: env.GITHUB_ACTOR,
    serverUrl: env.GITHUB_SERVER_URL,
  };
}

/** context.repo throws when neither GITHUB_REPOSITORY nor an event payload names a repository. */
function repositoryOf(repo: () => { owner: string; repo: string }): string | undefined {
  try {
    const { owner, repo: name } = repo();
    return owner && name ? `${owner}/${name}` : undefined;
  } catch {
    return undefined;
  }
}

/** The run's page on GitHub (`…/actions/runs/<id>/attempts/<n>`); undefined outside a run. */
export function runUrl(identity: RunIdentity): string | undefined {
  if (!identity.repository || !identity.runId) return undefined;
  return `${identity.serverUrl}/${identity.repository}/actions/runs/${identity.runId}/attempts/${identity.runAttempt}`;
}

/** `example/app run 123 attempt 2` (or `a local run`), for descriptions a person reads in AWS. */
export function describeRun(identity: RunIdentity): string {
  if (!identity.runId) return 'a local run';
  const repository = identity.repository ? `${identity.repository} ` : '';
  return `${repository}run ${identity.runId} attempt ${identity.runAttempt}`;
}

/** Different in every process: two steps of one run (or two matrix legs) never share it. */
export const PROCESS_NONCE = randomUUID().slice(0, 8);

/** Letters and digits only: the common ground of every AWS name rule used below. */
function alphanumeric(value: string | undefined): string {
  return (value ?? '').replace(/[^A-Za-z0-9]/g, '');
}

/**
 * ECS `startedBy`: at most 128 of letters, digits, `-`, `/` and `_` (RunTask request parameters,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html):
 * `three-tier-deploy/<tool>/<run id>-<attempt>`, so ListTasks(startedBy) finds this run's tasks.
 */
export function startedBy(identity: RunIdentity, tool: string): string {
  const safeTool = tool.replace(/[^A-Za-z0-9_/-]/g, '-');
  const run = identity.runId ? `${alphanumeric(identity.runId)}-${identity.runAttempt}` : 'local';
  return `three-tier-deploy/${safeTool}/${run}`.slice(0, 128);
}

/**
 * An idempotency token (RunTask's clientToken: at most 64 ASCII characters,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html), deterministic per
 * repository, run, attempt and purpose: the same attempt asking again (the SDK's retry, a step that
 * is re-entered) gets the first task back instead of starting a second. A run re-run is a new
 * attempt and rightly a new token. Outside a run it is unique per process, so two local runs
 * never collide.
 */
export function clientToken(identity: RunIdentity, purpose: string): string {
  const run = identity.runId
    ? [identity.repository ?? '', identity.runId, String(identity.runAttempt)]
    : ['local', PROCESS_NONCE];
  const digest = createHash('sha256')
    .update([...run, purpose].join('\n'))
    .digest('hex')
    .slice(0, 40);
  const label = purpose.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 23);
  return `${label}-${digest}`.slice(0, 64);
}

/**
 * A change-set name `<prefix>-<run id>-<attempt>-<time>`: CloudFormation wants a letter first, then
 * letters, digits and hyphens, at most 128 characters (CreateChangeSet ChangeSetName —
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
 * The time makes two change sets of one attempt (a retried step) distinct.
 */
export function changeSetName(options: {
  identity: RunIdentity;
  prefix: string;
  now: number;
}): string {
  const runId = alphanumeric(options.identity.runId) || 'local';
  const prefix = alphanumeric(options.prefix) || 'run';
  return `${prefix}-${runId}-${options.identity.runAttempt}-${options.now.toString(36)}`.slice(
    0,
    128,
  );
}

/**
 * A CloudFront CallerReference for one piece of work (`content`: the invalidation's paths): the
 * same for the SDK's retries within this process, so CloudFront answers a retried
 * CreateInvalidation with the invalidation already made instead of a second one; different in
 * another process (another step or matrix leg of the run), or CloudFront would answer that one
 * with an old, long-completed invalidation
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html).
 * Outside a run it is random each time.
 */
export function callerReference(options: {
  identity: RunIdentity;
  tool: string;
  content: readonly string[];
}): string {
  const { identity } = options;
  const digest = createHash('sha256').update(options.content.join('\n')).digest('hex').slice(0, 16);
  const run = identity.runId
    ? `${alphanumeric(identity.runId)}-${identity.runAttempt}-${PROCESS_NONCE}`
    : randomUUID();
  return `${options.tool}-${run}-${digest}`;
}
