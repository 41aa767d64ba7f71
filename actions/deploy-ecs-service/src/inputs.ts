/**
 * The action's inputs as one typed object, each checked before any AWS call: names look like
 * ECS names or ARNs, the image URI parses and names a tag or digest, environment lines are
 * KEY=VALUE with variable names (values keep every `=`), a task-definition file is a task
 * definition, the timeout is at least a minute, and inputs that exclude each other are not mixed.
 */
import { readFileSync } from 'node:fs';
import type { RegisterTaskDefinitionRequest, Tag } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import { type ImageReference, parseImageUri } from '../../common/src/ecs/image.js';
import {
  parseRevisionArn,
  taskDefinitionFromDocument,
} from '../../common/src/ecs/task-definition.js';
import { errorMessage, InputError } from '../../common/src/errors.js';
import type { Inputs } from '../../common/src/inputs.js';
import { INPUT } from './input-names.js';
import {
  readClusterAndService,
  readContainerName,
  readEnvironment,
} from '../../common/src/ecs/inputs.js';

export interface DeployInputs {
  cluster: string;
  service: string;
  /** The image to deploy; undefined when an existing revision is deployed (task-definition-arn). */
  image?: ImageReference;
  /** undefined: the base revision's only essential container. */
  containerName?: string;
  /** Merged into the container's environment; values as given (secrets untouched). */
  environment: Record<string, string>;
  /** A task definition from a file, used as the base instead of the service's current revision. */
  baseFromFile?: { path: string; request: RegisterTaskDefinitionRequest; tags: Tag[] };
  /** Deploy this existing revision (ARN or family:revision) of the service's family as it is. */
  taskDefinitionArn?: string;
  registerOnly: boolean;
  pinDigest: boolean;
  wait: boolean;
  forceNewDeployment: boolean;
  /** The release the revision comes from (the `release` input); undefined: worked out from the run. */
  release?: string;
  timeoutMs: number;
  region?: string;
}

export const DEFAULT_TIMEOUT_MS = 15 * 60_000;
/** A git tag or commit: no whitespace or control characters, and short enough for a tag value. */
const RELEASE = /^[^\s\p{Cc}]{1,256}$/u;

export function readInputs(inputs: Inputs): DeployInputs {
  const { cluster, service } = readClusterAndService(inputs, INPUT);
  const timeoutMs = inputs.duration(INPUT.timeoutMinutes, {
    default: DEFAULT_TIMEOUT_MS,
    bareUnit: 'minutes',
    min: 60_000,
    max: 6 * 3_600_000,
  });

  const taskDefinitionArn = inputs.string(INPUT.taskDefinitionArn);
  if (taskDefinitionArn !== undefined && !parseRevisionArn(taskDefinitionArn)) {
    throw new InputError(
      INPUT.taskDefinitionArn,
      taskDefinitionArn,
      'a task definition revision: its ARN (…:task-definition/<family>:<revision>) or <family>:<revision>',
    );
  }
  const rawImage = inputs.string(INPUT.image);
  const environmentGiven = inputs.raw(INPUT.environment) !== '';
  const fileGiven = inputs.raw(INPUT.taskDefinition) !== '';
  if (taskDefinitionArn !== undefined) {
    const mixed = [
      rawImage !== undefined ? 'image' : '',
      environmentGiven ? 'environment' : '',
      fileGiven ? 'task-definition' : '',
    ].filter(Boolean);
    if (mixed.length > 0) {
      throw new InputError(
        INPUT.taskDefinitionArn,
        taskDefinitionArn,
        `a revision deployed as it is, without ${mixed.join(', ')} (leave ${mixed.length > 1 ? 'those' : 'that'} empty, or drop task-definition-arn to derive a new revision)`,
      );
    }
  } else if (rawImage === undefined) {
    throw new InputError(
      INPUT.image,
      '',
      'the image URI to deploy (with a tag or digest), or task-definition-arn to deploy an existing revision',
    );
  }
  const image = rawImage !== undefined ? parseImageUri(rawImage, 'image') : undefined;

  const containerName = readContainerName(inputs, INPUT.containerName);
  const environment = readEnvironment(inputs, INPUT.environment);

  return {
    cluster,
    service,
    ...(image ? { image } : {}),
    ...(containerName ? { containerName } : {}),
    environment,
    ...(fileGiven ? { baseFromFile: readTaskDefinitionFile(inputs) } : {}),
    ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
    registerOnly: inputs.boolean(INPUT.registerOnly, false),
    pinDigest: inputs.boolean(INPUT.pinDigest, true),
    wait: inputs.boolean(INPUT.wait, true),
    forceNewDeployment: inputs.boolean(INPUT.forceNewDeployment, false),
    ...releaseInput(inputs),
    timeoutMs,
    ...(inputs.string(INPUT.awsRegion) ? { region: inputs.string(INPUT.awsRegion) } : {}),
  };
}

function releaseInput(inputs: Inputs): { release?: string } {
  const release = inputs.matching(
    INPUT.release,
    RELEASE,
    'the release this revision comes from: a git tag (v1.3.0) or a commit, without spaces, at most 256 characters',
  );
  return release !== undefined ? { release } : {};
}

function readTaskDefinitionFile(inputs: Inputs): NonNullable<DeployInputs['baseFromFile']> {
  const given = inputs.raw(INPUT.taskDefinition);
  const file = inputs.path(INPUT.taskDefinition, { required: true, kind: 'file' });
  let document: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(
      INPUT.taskDefinition,
      given,
      `a JSON or YAML task definition file (${errorMessage(error).split('\n')[0]})`,
    );
  }
  const { request, tags } = taskDefinitionFromDocument({
    document,
    input: 'task-definition',
    given,
  });
  return { path: file, request, tags };
}
