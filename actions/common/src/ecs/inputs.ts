/**
 * Inputs both ECS actions read the same way: the cluster and service (names or ARNs, as the app
 * stack's outputs give them), a container name, and environment lines whose keys are variable
 * names. One reader each, so the two actions refuse the same values with the same words.
 */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';

// Cluster and service names: up to 255 letters, digits, hyphens and underscores, or their ARNs
// (CreateCluster / CreateService API references).
const ECS_NAME_OR_ARN =
  /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:[a-z-]+\/[\w/-]+|[A-Za-z0-9_-]{1,255})$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readClusterAndService(
  inputs: Inputs,
  names: { cluster: string; service: string } = { cluster: 'cluster', service: 'service' },
): { cluster: string; service: string } {
  const cluster = inputs.matching(
    names.cluster,
    ECS_NAME_OR_ARN,
    "an ECS cluster name or ARN (the app stack's ClusterName output)",
    { required: true },
  ) as string;
  const service = inputs.matching(
    names.service,
    ECS_NAME_OR_ARN,
    "an ECS service name or ARN (the app stack's ServiceName output)",
    { required: true },
  ) as string;
  return { cluster, service };
}

export function readContainerName(inputs: Inputs, name = 'container-name'): string | undefined {
  return inputs.matching(
    name,
    CONTAINER_NAME,
    'a container name of the task definition (letters, digits, hyphens, underscores)',
  );
}

/** KEY=VALUE lines for a container's environment; values as given (never repeated in errors). */
export function readEnvironment(inputs: Inputs, name = 'environment'): Record<string, string> {
  const environment = inputs.keyValueLines(name);
  for (const key of Object.keys(environment)) {
    if (!ENV_NAME.test(key)) {
      throw new InputError(
        name,
        undefined,
        `KEY=VALUE lines whose keys are variable names (letters, digits, _; not starting with a digit); ${JSON.stringify(key)} is not`,
      );
    }
  }
  return environment;
}
