/**
 * Task-definition revisions: read one with its tags, copy what RegisterTaskDefinition accepts (a
 * whitelist), find the container to change, register and deregister, compare two revisions by
 * content, and the tags the toolkit puts on every revision it registers (the release it came from
 * and the run that registered it), which is how a later run tells its own leftovers from others'.
 *
 * API pages: DescribeTaskDefinition
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html,
 * RegisterTaskDefinition
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html,
 * DeregisterTaskDefinition
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html,
 * ListTaskDefinitions
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html.
 */
import {
  type ContainerDefinition,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionRequest,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ActionError, InputError, isAwsError } from '../errors.js';

/**
 * Every field of RegisterTaskDefinition's request except `tags` (copied separately). A whitelist:
 * DescribeTaskDefinition keeps growing read-only fields (`revision`, `status`,
 * `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`, `deregisteredAt`,
 * `deleteRequestedAt`, `taskDefinitionArn`) that RegisterTaskDefinition refuses; a list of fields to
 * strip breaks on the next one AWS adds, a list of fields to keep does not.
 */
export const REGISTRABLE_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionRequest)[];

/** The tags every revision the toolkit registers carries. Keys in the toolkit's own namespace. */
export const REVISION_TAGS = {
  /** The release the revision came from: the git tag (v1.4.0) or the commit. */
  release: 'three-tier-deploy:release',
  /** The run that registered it: `<owner/repo>/<run id>/<attempt>`, or `local/...`. */
  run: 'three-tier-deploy:run',
  /** The image tag, when the revision names its image by digest (pin-digest). */
  imageTag: 'three-tier-deploy:image-tag',
} as const;

/**
 * The tag (value `true`) that marks the app stack's bootstrap revision (cloudformation/app.yaml),
 * whose container runs an inline server as its command. A revision derived from it drops the tag
 * and that command: the release's image runs its own CMD. Not one of REVISION_TAGS: a revision
 * deployed as it is (task-definition-arn) keeps what it says.
 */
export const BOOTSTRAP_TAG = 'three-tier-deploy:bootstrap';

export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  /** The revision's tags (`include: ['TAGS']`); empty when it has none. */
  tags: Tag[];
}

/** A task definition revision with its tags; an unknown one is an ActionError naming `input`. */
export async function describeTaskDefinition(options: {
  ecs: ECSClient;
  /** ARN, `family:revision`, or a family (its newest ACTIVE revision). */
  taskDefinition: string;
  /** The input that named it, for the message; absent when the service named it. */
  input?: string;
  abortSignal?: AbortSignal;
}): Promise<DescribedTaskDefinition> {
  const { ecs, taskDefinition } = options;
  try {
    const answer = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }),
      { abortSignal: options.abortSignal },
    );
    if (!answer.taskDefinition) throw notFound(taskDefinition, options.input);
    return { taskDefinition: answer.taskDefinition, tags: answer.tags ?? [] };
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for an unknown revision.
    if (isAwsError(error, 'ClientException', 'TaskDefinitionNotFoundException')) {
      throw notFound(taskDefinition, options.input);
    }
    throw error;
  }
}

function notFound(taskDefinition: string, input: string | undefined): ActionError {
  const named = input ? ` (input '${input}')` : '';
  return new ActionError(
    `Unknown task definition: ${taskDefinition}`,
    `ECS has no task definition '${taskDefinition}'${named} in this account and region.`,
    input
      ? `Check the ${input} input: an ARN or family:revision of an existing revision.`
      : 'The service names a revision that no longer exists; deploy a revision of its family again.',
  );
}

/**
 * The RegisterTaskDefinition request that reproduces `taskDefinition` — only the whitelisted
 * fields, deep-copied so that changing the result never changes the input — with `tags` (AWS's
 * own `aws:` tags cannot be set by a caller and are dropped).
 */
export function registrableFields(
  taskDefinition: TaskDefinition | RegisterTaskDefinitionRequest,
  tags: readonly Tag[] = [],
): RegisterTaskDefinitionRequest {
  const source = taskDefinition as Record<string, unknown>;
  const request: Record<string, unknown> = {};
  for (const field of REGISTRABLE_FIELDS) {
    const value = source[field];
    if (value !== undefined && value !== null) request[field] = structuredClone(value);
  }
  const ownTags = tags.filter((tag) => tag.key && !tag.key.toLowerCase().startsWith('aws:'));
  if (ownTags.length > 0) request.tags = ownTags.map((tag) => ({ ...tag }));
  return request as unknown as RegisterTaskDefinitionRequest;
}

/**
 * The container to change: the one named, or else the only essential container (ECS treats a
 * container without `essential` as essential). Unknown or ambiguous is an ActionError that lists
 * the containers there are.
 */
export function findContainer(options: {
  taskDefinition: Pick<TaskDefinition, 'containerDefinitions' | 'family'>;
  name?: string;
  /** The input that names the container (default `container-name`). */
  input?: string;
}): ContainerDefinition {
  const input = options.input ?? 'container-name';
  const containers = options.taskDefinition.containerDefinitions ?? [];
  const names = containers.map((c) => c.name ?? '(unnamed)');
  const family = options.taskDefinition.family ?? 'the task definition';
  if (options.name !== undefined) {
    const found = containers.find((c) => c.name === options.name);
    if (!found) {
      throw new ActionError(
        `Unknown container: ${options.name}`,
        `Task definition ${family} has no container '${options.name}' (input '${input}'); it has ${names.join(', ') || 'none'}.`,
        `Set ${input} to one of: ${names.join(', ')}.`,
      );
    }
    return found;
  }
  const essential = containers.filter((c) => c.essential !== false);
  if (essential.length === 1) return essential[0] as ContainerDefinition;
  if (essential.length === 0) {
    throw new ActionError(
      'No essential container',
      `Task definition ${family} has no essential container to deploy the image to.`,
      `Set ${input} to one of: ${names.join(', ') || '(none)'}.`,
    );
  }
  throw new ActionError(
    `Set ${input}: several essential containers`,
    `Task definition ${family} has ${essential.length} essential containers (${essential.map((c) => c.name).join(', ')}); which one gets the image is not clear.`,
    `Set ${input} to one of: ${essential.map((c) => c.name).join(', ')}.`,
  );
}

/** Registers a revision; returns it with the tags it was given. */
export async function registerRevision(options: {
  ecs: ECSClient;
  request: RegisterTaskDefinitionRequest;
  abortSignal?: AbortSignal;
}): Promise<DescribedTaskDefinition> {
  const answer = await options.ecs.send(new RegisterTaskDefinitionCommand(options.request), {
    abortSignal: options.abortSignal,
  });
  if (!answer.taskDefinition?.taskDefinitionArn) {
    throw new ActionError(
      'RegisterTaskDefinition returned nothing',
      `ECS accepted the new revision of ${options.request.family} but returned no task definition.`,
    );
  }
  return { taskDefinition: answer.taskDefinition, tags: answer.tags ?? options.request.tags ?? [] };
}

/**
 * Deregisters a revision (it becomes INACTIVE: running tasks keep it, nothing new can use it, and
 * a service naming the family no longer rolls to it). Already INACTIVE counts as done.
 */
export async function deregisterRevision(options: {
  ecs: ECSClient;
  taskDefinitionArn: string;
  abortSignal?: AbortSignal;
}): Promise<void> {
  await options.ecs.send(
    new DeregisterTaskDefinitionCommand({ taskDefinition: options.taskDefinitionArn }),
    { abortSignal: options.abortSignal },
  );
}

/** `arn:…:task-definition/app-prod:12` → { family: 'app-prod', revision: 12 }; also `family:12`. */
export function parseRevisionArn(arn: string): { family: string; revision: number } | undefined {
  const match = /(?:^|task-definition\/)([A-Za-z0-9_-]{1,255}):(\d+)$/.exec(arn);
  if (!match) return undefined;
  return { family: match[1] as string, revision: Number(match[2]) };
}

/**
 * The family's ACTIVE revisions, newest first, exact family only (ListTaskDefinitions'
 * `familyPrefix` is a prefix: `app` also lists `app-worker`). Sorted here, not by the API's `sort`,
 * which the local AWS ignores.
 */
export async function activeRevisions(options: {
  ecs: ECSClient;
  family: string;
  abortSignal?: AbortSignal;
}): Promise<{ arn: string; revision: number }[]> {
  const found: { arn: string; revision: number }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await options.ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: options.family,
        status: 'ACTIVE',
        sort: 'DESC',
        nextToken,
      }),
      { abortSignal: options.abortSignal },
    );
    for (const arn of page.taskDefinitionArns ?? []) {
      const parsed = parseRevisionArn(arn);
      if (parsed?.family === options.family) found.push({ arn, revision: parsed.revision });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found.sort((a, b) => b.revision - a.revision);
}

// ---- Comparing revisions -------------------------------------------------------------------

/**
 * True when two revisions would run the same: the same registrable fields, tags aside, after
 * filling in what ECS fills in on registration (so a definition from a file equals the revision
 * registered from it): empty lists and maps dropped, `essential` true when absent, container
 * `cpu: 0` as absent, port mappings' `protocol: tcp` and awsvpc's `hostPort = containerPort`,
 * environment and secrets in name order.
 */
export function sameDefinition(
  a: TaskDefinition | RegisterTaskDefinitionRequest,
  b: TaskDefinition | RegisterTaskDefinitionRequest,
): boolean {
  return canonicalJson(comparable(a)) === canonicalJson(comparable(b));
}

function comparable(definition: TaskDefinition | RegisterTaskDefinitionRequest): unknown {
  const request = registrableFields(definition) as unknown as Record<string, unknown>;
  const awsvpc = request.networkMode === 'awsvpc';
  const containers = (request.containerDefinitions as ContainerDefinition[] | undefined) ?? [];
  request.containerDefinitions = containers.map((container) => {
    const c = { ...container } as Record<string, unknown>;
    if (c.essential === undefined) c.essential = true;
    if (c.cpu === 0) delete c.cpu;
    c.environment = sortByName(container.environment);
    c.secrets = sortByName(container.secrets);
    c.portMappings = (container.portMappings ?? []).map((mapping) => ({
      ...mapping,
      protocol: mapping.protocol ?? 'tcp',
      hostPort: mapping.hostPort ?? (awsvpc ? mapping.containerPort : undefined),
    }));
    return c;
  });
  return pruneEmpty(request);
}

function sortByName<T extends { name?: string }>(list: T[] | undefined): T[] {
  return [...(list ?? [])].sort((x, y) => (x.name ?? '').localeCompare(y.name ?? ''));
}

function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      const pruned = pruneEmpty(entry);
      if (pruned === undefined || pruned === null) continue;
      if (Array.isArray(pruned) && pruned.length === 0) continue;
      if (typeof pruned === 'object' && !Array.isArray(pruned) && Object.keys(pruned).length === 0)
        continue;
      result[key] = pruned;
    }
    return result;
  }
  return value;
}

/** JSON with object keys in order, so that key order never makes two equal definitions differ. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(
          Object.entries(entry as Record<string, unknown>).sort(([x], [y]) =>
            x < y ? -1 : x > y ? 1 : 0,
          ),
        )
      : entry,
  );
}

// ---- The toolkit's tags --------------------------------------------------------------------

/** The fields of common/run-identity.ts's RunIdentity the run tag is made of. */
export interface RunOfRevision {
  repository?: string;
  runId?: string;
  runAttempt: number;
}

/** ECS tag values allow letters, digits, spaces and `+ - = . _ : / @`, at most 256 characters. */
function tagValue(text: string): string {
  return text.replace(/[^A-Za-z0-9 +\-=._:/@]/g, '_').slice(0, 256);
}

/** `<owner/repo>/<run id>/<attempt>`: the same for every step of one attempt of one run. */
export function runTagValue(run: RunOfRevision, localNonce = 'local'): string {
  if (!run.runId) return tagValue(`local/${localNonce}`);
  return tagValue(`${run.repository ?? 'unknown'}/${run.runId}/${run.runAttempt}`);
}

/**
 * `tags` with the toolkit's tags set (replacing any earlier values of those keys, so a revision
 * derived from an older one says where *it* came from).
 */
export function withRevisionTags(
  tags: readonly Tag[],
  origin: { release: string; run: string; imageTag?: string },
): Tag[] {
  const own = new Set<string>(Object.values(REVISION_TAGS));
  const kept = tags.filter((tag) => tag.key && !own.has(tag.key));
  const added: Tag[] = [
    { key: REVISION_TAGS.release, value: tagValue(origin.release) },
    { key: REVISION_TAGS.run, value: tagValue(origin.run) },
  ];
  if (origin.imageTag)
    added.push({ key: REVISION_TAGS.imageTag, value: tagValue(origin.imageTag) });
  return [...kept, ...added];
}

/** The run that registered a revision, from its tags; undefined when the toolkit did not. */
export function registeredByRun(tags: readonly Tag[]): string | undefined {
  return tags.find((tag) => tag.key === REVISION_TAGS.run)?.value || undefined;
}

export function releaseOf(tags: readonly Tag[]): string | undefined {
  return tags.find((tag) => tag.key === REVISION_TAGS.release)?.value || undefined;
}

// ---- A task definition from a file ---------------------------------------------------------

/**
 * A task definition given as a document (the `task-definition` input's JSON or YAML): either the
 * definition itself or DescribeTaskDefinition's answer (`{ taskDefinition, tags }`). Anything else
 * is an InputError naming `input`.
 */
export function taskDefinitionFromDocument(options: {
  document: unknown;
  input: string;
  given: string;
}): { request: RegisterTaskDefinitionRequest; tags: Tag[] } {
  const { input, given } = options;
  let doc = options.document as Record<string, unknown> | null;
  let tags: Tag[] = [];
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'taskDefinition' in doc) {
    tags = Array.isArray(doc.tags) ? (doc.tags as Tag[]) : [];
    doc = doc.taskDefinition as Record<string, unknown> | null;
  }
  const accepted =
    'a JSON or YAML task definition (family and containerDefinitions, as RegisterTaskDefinition takes or DescribeTaskDefinition returns)';
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError(input, given, `${accepted}; the file holds no mapping`);
  }
  const containers = doc.containerDefinitions;
  if (
    !Array.isArray(containers) ||
    containers.length === 0 ||
    !containers.every((c) => c && typeof c === 'object' && typeof c.name === 'string')
  ) {
    throw new InputError(
      input,
      given,
      `${accepted}; containerDefinitions with named containers is missing`,
    );
  }
  if (doc.family !== undefined && typeof doc.family !== 'string') {
    throw new InputError(input, given, `${accepted}; family is not a string`);
  }
  if (Array.isArray(doc.tags)) tags = doc.tags as Tag[];
  return { request: registrableFields(doc as TaskDefinition), tags };
}
