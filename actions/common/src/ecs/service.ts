/**
 * The ECS service an action works on, looked up once and checked: the cluster and the service exist
 * and are ACTIVE, with errors that name the input to fix. Every ECS action (deploy, migration,
 * tunnel) starts here, so an unknown cluster reads the same everywhere.
 *
 * DescribeServices: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
 * (unknown services come back in `failures` with reason MISSING, an unknown cluster as
 * ClusterNotFoundException); DescribeClusters:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeClusters.html
 */
import {
  type Cluster,
  type Deployment,
  DescribeClustersCommand,
  DescribeServicesCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { ActionError, isAwsError } from '../errors.js';

/** Which action inputs name the cluster and the service, for the messages (defaults `cluster`, `service`). */
export interface ServiceInputNames {
  cluster?: string;
  service?: string;
}

export interface DescribedService {
  /** The raw DescribeServices answer for the service. */
  service: Service;
  name: string;
  arn: string;
  clusterArn: string;
  /** The cluster's name (the last part of its ARN). */
  clusterName: string;
  /** The revision the service is set to run (its PRIMARY deployment's target). */
  taskDefinitionArn: string;
  deployments: Deployment[];
  /** The PRIMARY deployment: the newest, the one the service is rolling to or runs. */
  primary?: Deployment;
}

/** The last part of an ECS ARN (`…:cluster/prod` → `prod`); a plain name is returned as it is. */
export function nameOf(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

/** The cluster, checked to exist and be ACTIVE. */
export async function describeCluster(options: {
  ecs: ECSClient;
  cluster: string;
  inputNames?: ServiceInputNames;
  abortSignal?: AbortSignal;
}): Promise<Cluster> {
  const { ecs, cluster } = options;
  const input = options.inputNames?.cluster ?? 'cluster';
  const answer = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }), {
    abortSignal: options.abortSignal,
  });
  const found = answer.clusters?.find((c) => c.clusterArn === cluster || c.clusterName === cluster);
  if (!found) throw unknownCluster(cluster, input);
  if (found.status !== 'ACTIVE') {
    throw new ActionError(
      `Cluster ${cluster} is ${found.status ?? 'not active'}`,
      `The ECS cluster '${cluster}' (input '${input}') is ${found.status}; only an ACTIVE cluster runs services.`,
      `Check the ${input} input, or recreate the cluster with the app stack (provision-stack).`,
    );
  }
  return found;
}

/**
 * The service and what it runs. Unknown cluster, unknown service and a service being deleted
 * (DRAINING, INACTIVE) are each an ActionError naming the input.
 */
export async function describeService(options: {
  ecs: ECSClient;
  cluster: string;
  service: string;
  inputNames?: ServiceInputNames;
  abortSignal?: AbortSignal;
}): Promise<DescribedService> {
  const { ecs, cluster, service } = options;
  const clusterInput = options.inputNames?.cluster ?? 'cluster';
  const serviceInput = options.inputNames?.service ?? 'service';
  let answer;
  try {
    answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), {
      abortSignal: options.abortSignal,
    });
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) throw unknownCluster(cluster, clusterInput);
    throw error;
  }
  const found = answer.services?.find(
    (s) => s.serviceArn === service || s.serviceName === nameOf(service),
  );
  if (!found || answer.failures?.some((f) => f.reason === 'MISSING')) {
    throw new ActionError(
      `Unknown service: ${service}`,
      `There is no ECS service '${service}' (input '${serviceInput}') in cluster '${cluster}'.`,
      `Check the ${serviceInput} input: it is the service's name (the app stack's ServiceName output) or ARN, in the cluster named by ${clusterInput}.`,
    );
  }
  if (found.status !== 'ACTIVE') {
    throw new ActionError(
      `Service ${service} is ${found.status ?? 'not active'}`,
      `The ECS service '${service}' (input '${serviceInput}') in cluster '${cluster}' is ${found.status}: it is being deleted or was deleted.`,
      `Recreate the service with the app stack (provision-stack), or name another service in ${serviceInput}.`,
    );
  }
  const deployments = found.deployments ?? [];
  return {
    service: found,
    name: found.serviceName ?? nameOf(service),
    arn: found.serviceArn ?? service,
    clusterArn: found.clusterArn ?? cluster,
    clusterName: nameOf(found.clusterArn ?? cluster),
    taskDefinitionArn: found.taskDefinition ?? deployments.find(isPrimary)?.taskDefinition ?? '',
    deployments,
    primary: deployments.find(isPrimary),
  };
}

export function isPrimary(deployment: Deployment): boolean {
  return deployment.status === 'PRIMARY';
}

function unknownCluster(cluster: string, input: string): ActionError {
  return new ActionError(
    `Unknown cluster: ${cluster}`,
    `There is no ECS cluster '${cluster}' (input '${input}') in this account and region.`,
    `Check the ${input} input (the app stack's ClusterName output) and the region (aws-region or AWS_REGION).`,
  );
}
