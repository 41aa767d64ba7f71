/**
 * The new revision, derived from a base (the service's current revision, or a task-definition
 * file) with only the image and the merged environment of one container changed; and what
 * differs between two revisions, for the summary. Pure.
 */
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionRequest,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  BOOTSTRAP_TAG,
  canonicalJson,
  findContainer,
  registrableFields,
  withRevisionTags,
} from '../../common/src/ecs/task-definition.js';
import { ActionError } from '../../common/src/errors.js';

export interface RevisionOrigin {
  /** The release the revision comes from (git tag or commit). */
  release: string;
  /** This run's tag value (runTagValue). */
  run: string;
  /** The image tag, kept as a tag when the revision names the image by digest. */
  imageTag?: string;
}

export function deriveRevision(options: {
  base: TaskDefinition | RegisterTaskDefinitionRequest;
  baseTags: readonly Tag[];
  /** The service's family: the revision must stay in it, or the service would stop following it. */
  family: string;
  /** Set for a base from the task-definition file, whose family is checked against the service's. */
  baseInput?: string;
  containerName?: string;
  image: string;
  environment: Readonly<Record<string, string>>;
  origin: RevisionOrigin;
}): { request: RegisterTaskDefinitionRequest; container: string; bootstrapDropped: boolean } {
  const request = registrableFields(options.base, options.baseTags);
  if (request.family && request.family !== options.family) {
    throw new ActionError(
      `Another family: ${request.family}`,
      `The ${options.baseInput ?? 'base'} task definition is of family '${request.family}', but the service runs family '${options.family}'. A revision of another family would leave the family the app stack names behind, and a stack update would roll the service back to it.`,
      `Set family: ${options.family} in the ${options.baseInput ?? 'base'} file, or remove the family (the service's is used).`,
    );
  }
  request.family = options.family;
  const container = findContainer({ taskDefinition: request, name: options.containerName });
  container.image = options.image;
  mergeEnvironment(container, options.environment);
  // The bootstrap revision's container runs an inline server as its command, which exits in any
  // other image (app.yaml): the first release runs the image's own ENTRYPOINT and CMD instead,
  // and is no bootstrap revision itself.
  const bootstrapDropped = isBootstrapRevision(options.baseTags);
  let tags = request.tags ?? [];
  if (bootstrapDropped) {
    delete container.command;
    delete container.entryPoint;
    tags = tags.filter((tag) => tag.key !== BOOTSTRAP_TAG);
  }
  request.tags = withRevisionTags(tags, options.origin);
  return { request, container: container.name as string, bootstrapDropped };
}

/** What the log and the summary say when a revision is derived from the bootstrap revision. */
export const BOOTSTRAP_DROPPED =
  "the bootstrap revision's command dropped, the image's own CMD runs";

/** The base is the app stack's bootstrap revision: tagged `three-tier-deploy:bootstrap` = `true`. */
export function isBootstrapRevision(tags: readonly Tag[]): boolean {
  return tags.some((tag) => tag.key === BOOTSTRAP_TAG && tag.value === 'true');
}

/**
 * Sets each variable in the container's environment: existing names keep their place and take the
 * new value, new names are appended in the order given. A name the container takes from a secret
 * is refused: ECS would have the same variable from two sources.
 */
export function mergeEnvironment(
  container: ContainerDefinition,
  environment: Readonly<Record<string, string>>,
): void {
  const secrets = new Set((container.secrets ?? []).map((secret) => secret.name));
  const clash = Object.keys(environment).filter((name) => secrets.has(name));
  if (clash.length > 0) {
    throw new ActionError(
      `environment sets a secret: ${clash.join(', ')}`,
      `Container ${container.name} takes ${clash.join(', ')} from a secret (secrets in the task definition); the environment input would set ${clash.length === 1 ? 'it' : 'them'} a second time.`,
      `Remove ${clash.join(', ')} from the environment input: secrets stay in the task definition's secrets, where ECS reads them at start.`,
    );
  }
  const list: KeyValuePair[] = (container.environment ?? []).map((pair) => ({ ...pair }));
  for (const [name, value] of Object.entries(environment)) {
    const existing = list.find((pair) => pair.name === name);
    if (existing) existing.value = value;
    else list.push({ name, value });
  }
  container.environment = list;
}

export type EnvironmentChange = { name: string; change: 'added' | 'changed' | 'removed' };

export interface RevisionDiff {
  container: string;
  imageBefore?: string;
  imageAfter?: string;
  environment: EnvironmentChange[];
  /** Other top-level fields and containers that differ (a task-definition file as base). */
  other: string[];
}

/** What changes from `before` to `after` in the deployed container, and anything else that does. */
export function revisionDiff(options: {
  before: TaskDefinition | RegisterTaskDefinitionRequest;
  after: TaskDefinition | RegisterTaskDefinitionRequest;
  container: string;
}): RevisionDiff {
  const { before, after, container } = options;
  const beforeContainer = before.containerDefinitions?.find((c) => c.name === container);
  const afterContainer = after.containerDefinitions?.find((c) => c.name === container);
  const envBefore = new Map(
    (beforeContainer?.environment ?? []).map((p) => [p.name, p.value ?? '']),
  );
  const envAfter = new Map((afterContainer?.environment ?? []).map((p) => [p.name, p.value ?? '']));
  const environment: EnvironmentChange[] = [];
  for (const [name, value] of envAfter) {
    if (name === undefined) continue;
    if (!envBefore.has(name)) environment.push({ name, change: 'added' });
    else if (envBefore.get(name) !== value) environment.push({ name, change: 'changed' });
  }
  for (const name of envBefore.keys()) {
    if (name !== undefined && !envAfter.has(name)) environment.push({ name, change: 'removed' });
  }
  const other: string[] = [];
  const a = registrableFields(before) as unknown as Record<string, unknown>;
  const b = registrableFields(after) as unknown as Record<string, unknown>;
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (field === 'containerDefinitions') continue;
    if (canonicalJson(a[field] ?? null) !== canonicalJson(b[field] ?? null)) other.push(field);
  }
  const names = new Set(
    [...(before.containerDefinitions ?? []), ...(after.containerDefinitions ?? [])].map(
      (c) => c.name,
    ),
  );
  for (const name of names) {
    const x = before.containerDefinitions?.find((c) => c.name === name);
    const y = after.containerDefinitions?.find((c) => c.name === name);
    if (!x || !y) {
      other.push(`container ${name} ${x ? 'removed' : 'added'}`);
      continue;
    }
    const strip = (c: ContainerDefinition): string =>
      canonicalJson({ ...c, ...(name === container ? { image: null, environment: null } : {}) });
    if (strip(x) !== strip(y)) other.push(`container ${name}`);
  }
  return {
    container,
    ...(beforeContainer?.image ? { imageBefore: beforeContainer.image } : {}),
    ...(afterContainer?.image ? { imageAfter: afterContainer.image } : {}),
    environment,
    other,
  };
}
