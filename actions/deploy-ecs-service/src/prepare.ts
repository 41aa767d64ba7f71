/**
 * Every check before a change, and everything the plan needs: the cluster and service (ACTIVE),
 * the revision the service runs, the base (that revision, a task-definition file, or the revision
 * asked for by task-definition-arn, which must be of the service's family), the container, and
 * the image — found in ECR by tag or digest, and pinned by digest when asked.
 */
import type { RegisterTaskDefinitionRequest, Tag } from '@aws-sdk/client-ecs';
import type { ActionContext } from '../../common/src/context.js';
import { findEcrImage, pinnedUri, shortImage } from '../../common/src/ecs/image.js';
import { type DescribedService, describeService } from '../../common/src/ecs/service.js';
import {
  BOOTSTRAP_TAG,
  describeTaskDefinition,
  findContainer,
  parseRevisionArn,
  REVISION_TAGS,
  registrableFields,
  releaseOf,
  withRevisionTags,
} from '../../common/src/ecs/task-definition.js';
import { InputError } from '../../common/src/errors.js';
import type { RunIdentity } from '../../common/src/run-identity.js';
import type { Clients } from './clients.js';
import { BOOTSTRAP_DROPPED, deriveRevision, type RevisionOrigin } from './derive.js';
import type { DeployInputs } from './inputs.js';
import type { CandidateRevision, LiveRevision } from './plan.js';

export interface Prepared {
  service: DescribedService;
  live: LiveRevision;
  liveTags: Tag[];
  family: string;
  /** The container whose image the deploy sets (or, for task-definition-arn, the one reported). */
  container: string;
  origin: RevisionOrigin;
  /** Image path: the image as the revision will name it (by digest when pinned). */
  image?: string;
  /** Image path: the revision the inputs ask for. */
  derived?: RegisterTaskDefinitionRequest;
  /** task-definition-arn path: the revision asked for, and its content ready to register anew. */
  requested?: CandidateRevision;
  requestedRequest?: RegisterTaskDefinitionRequest;
  /** Image path: the base was the bootstrap revision, whose command the new revision drops. */
  bootstrapDropped?: boolean;
}

export async function prepare(options: {
  context: ActionContext<DeployInputs>;
  clients: Clients;
  identity: RunIdentity;
  runTag: string;
}): Promise<Prepared> {
  const { context, clients, runTag } = options;
  const { inputs, log } = context;
  const abortSignal = context.deadline.signal;
  const ecs = clients.ecs;
  const service = await describeService({
    ecs,
    cluster: inputs.cluster,
    service: inputs.service,
    abortSignal,
  });
  // A service names an ARN; one a stack updated by family (the local AWS keeps the family name)
  // resolves to the family's newest revision, as ECS resolves it.
  const liveDescribed = await describeTaskDefinition({
    ecs,
    taskDefinition: service.taskDefinitionArn,
    abortSignal,
  });
  const liveDefinition = liveDescribed.taskDefinition;
  const liveArn = liveDefinition.taskDefinitionArn as string;
  const family = liveDefinition.family as string;
  const live: LiveRevision = {
    arn: liveArn,
    revision: liveDefinition.revision ?? parseRevisionArn(liveArn)?.revision ?? 0,
    definition: liveDefinition,
    active: liveDefinition.status !== 'INACTIVE',
  };
  const release = inputs.release ?? releaseOfRun(context.env, options.identity, inputs.image?.tag);

  if (inputs.taskDefinitionArn) {
    const described = await describeTaskDefinition({
      ecs,
      taskDefinition: inputs.taskDefinitionArn,
      input: 'task-definition-arn',
      abortSignal,
    });
    const definition = described.taskDefinition;
    if (definition.family !== family) {
      throw new InputError(
        'task-definition-arn',
        inputs.taskDefinitionArn,
        `a revision of the service's family ${family} (this one is of family ${definition.family}; the service and the app stack follow ${family})`,
      );
    }
    const origin: RevisionOrigin = {
      // A copy of an earlier revision says which release it came from, not this run's commit
      // (unless the release input says otherwise).
      release: inputs.release ?? releaseOf(described.tags) ?? release,
      run: runTag,
      ...(tagOf(described.tags, REVISION_TAGS.imageTag)
        ? { imageTag: tagOf(described.tags, REVISION_TAGS.imageTag) }
        : {}),
    };
    const arn = definition.taskDefinitionArn as string;
    return {
      service,
      live,
      liveTags: liveDescribed.tags,
      family,
      container: reportedContainer(definition, inputs.containerName),
      origin,
      requested: {
        arn,
        revision: definition.revision ?? parseRevisionArn(arn)?.revision ?? 0,
        definition,
        tags: described.tags,
      },
      requestedRequest: registrableFields(definition, withRevisionTags(described.tags, origin)),
    };
  }

  const image = inputs.image!;
  const base = inputs.baseFromFile?.request ?? liveDefinition;
  const baseTags = inputs.baseFromFile ? inputs.baseFromFile.tags : liveDescribed.tags;
  // The container first: a wrong container-name is refused before ECR is asked anything.
  const container = findContainer({
    taskDefinition: { ...base, family },
    name: inputs.containerName,
  }).name as string;
  let deployedImage = image.uri;
  if (image.ecr) {
    const found = await findEcrImage({ ecr: clients.ecr(image.ecr.region), image, abortSignal });
    if (inputs.pinDigest) deployedImage = pinnedUri(image, found.digest);
    log.info(
      `Image ${shortImage(image)} is in ECR as ${found.digest}${inputs.pinDigest ? '; the revision names it by digest' : ''}.`,
    );
  } else {
    log.info(
      `Image ${image.uri} is not in a private ECR registry: not looked up, deployed as given.`,
    );
  }
  const origin: RevisionOrigin = {
    release,
    run: runTag,
    // Named by digest, the revision keeps the tag as a tag, so the history still reads as releases.
    ...(image.tag && deployedImage.includes('@') ? { imageTag: image.tag } : {}),
  };
  const { request, bootstrapDropped } = deriveRevision({
    base,
    baseTags,
    family,
    ...(inputs.baseFromFile ? { baseInput: 'task-definition' } : {}),
    containerName: container,
    image: deployedImage,
    environment: inputs.environment,
    origin,
  });
  if (bootstrapDropped) {
    log.info(
      `First release: ${BOOTSTRAP_DROPPED} (the base is tagged ${BOOTSTRAP_TAG}=true; container ${container} keeps no command or entryPoint, and the new revision no bootstrap tag).`,
    );
  }
  return {
    service,
    live,
    liveTags: liveDescribed.tags,
    family,
    container,
    origin,
    image: deployedImage,
    derived: request,
    bootstrapDropped,
  };
}

/**
 * The release a revision comes from when the release input is empty: the git tag that triggered
 * the run, else its commit. A run dispatched from a branch to deploy an older tag cannot tell that
 * tag from here: the workflow passes it as the release input.
 */
export function releaseOfRun(
  env: NodeJS.ProcessEnv,
  identity: RunIdentity,
  imageTag?: string,
): string {
  if (env.GITHUB_REF_TYPE === 'tag' && env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
  return identity.sha ?? imageTag ?? 'unknown';
}

function tagOf(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.key === key)?.value || undefined;
}

/** For task-definition-arn: the container to report on, without refusing what deploys as it is. */
function reportedContainer(
  definition: { containerDefinitions?: { name?: string; essential?: boolean }[] },
  name: string | undefined,
): string {
  const containers = definition.containerDefinitions ?? [];
  if (name !== undefined) {
    return findContainer({ taskDefinition: definition, name }).name as string;
  }
  const essential = containers.filter((c) => c.essential !== false);
  return (essential[0] ?? containers[0])?.name ?? '';
}
