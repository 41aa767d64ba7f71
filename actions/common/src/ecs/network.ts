/**
 * Where a one-off task runs: the network, launch type or capacity providers and platform version
 * of the service it belongs with, so that the task reaches what the service reaches (the database
 * through the service's security group) instead of landing wherever RunTask's defaults put it.
 *
 * Pure: it reads a DescribeServices answer and returns RunTask fields; no SDK call here.
 * RunTask request fields: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
import type {
  AssignPublicIp,
  CapacityProviderStrategyItem,
  LaunchType,
  NetworkConfiguration,
  Service,
} from '@aws-sdk/client-ecs';
import { ActionError } from '../errors.js';

/** What the user may give instead of the service's own values (the `subnets` / `security-groups` inputs). */
export interface PlacementOverrides {
  subnets?: readonly string[];
  securityGroups?: readonly string[];
  assignPublicIp?: AssignPublicIp;
  /**
   * The task definition's network mode. Only `awsvpc` takes a network configuration; a task of
   * another mode (EC2 `bridge`, `host`) runs on the instances' network and needs none.
   */
  taskNetworkMode?: string;
}

/** The RunTask fields that say where the task runs. Exactly one of launchType / capacityProviderStrategy, or neither (the cluster's default strategy). */
export interface TaskPlacement {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  /** Where each value came from, in the user's words, for the log and the summary. */
  describe: {
    subnets: string;
    securityGroups: string;
    publicIp: string;
    capacity: string;
  };
}

/**
 * RunTask's placement copied from the service, with the user's overrides.
 * Throws an ActionError when the task needs an awsvpc network that neither the service nor the
 * inputs give: RunTask would refuse it ("Network Configuration must be provided when networkMode
 * 'awsvpc' is specified"), after we had told the user nothing useful.
 */
export function taskPlacementFromService(
  service: Service,
  overrides: PlacementOverrides = {},
): TaskPlacement {
  const serviceName = service.serviceName ?? service.serviceArn ?? 'the service';
  const copied = service.networkConfiguration?.awsvpcConfiguration;
  const needsNetwork =
    overrides.taskNetworkMode === undefined || overrides.taskNetworkMode === 'awsvpc';
  const givenSubnets = nonEmpty(overrides.subnets);
  const givenGroups = nonEmpty(overrides.securityGroups);

  let networkConfiguration: NetworkConfiguration | undefined;
  let subnetsFrom = 'none (the task definition is not in awsvpc mode)';
  let groupsFrom = subnetsFrom;
  let publicIpFrom = subnetsFrom;
  if (needsNetwork) {
    const subnets = givenSubnets ?? nonEmpty(copied?.subnets);
    if (!subnets) {
      throw new ActionError(
        'No network for the task',
        `Service ${serviceName} has no awsvpc network configuration to copy (subnets and security groups), and the subnets input is empty.`,
        'Set the subnets input (and security-groups) to the private subnets the task must run in, or name a service that runs in awsvpc mode (every Fargate service does).',
      );
    }
    const securityGroups = givenGroups ?? nonEmpty(copied?.securityGroups);
    // A public IP only when asked for (input or the service's own setting): the task belongs in
    // the private subnets with the database; DISABLED is RunTask's own default for awsvpc.
    const assignPublicIp = overrides.assignPublicIp ?? copied?.assignPublicIp ?? 'DISABLED';
    networkConfiguration = {
      awsvpcConfiguration: {
        subnets: [...subnets],
        ...(securityGroups ? { securityGroups: [...securityGroups] } : {}),
        assignPublicIp,
      },
    };
    subnetsFrom = `${subnets.join(', ')} (${givenSubnets ? 'subnets input' : `from service ${serviceName}`})`;
    groupsFrom = securityGroups
      ? `${securityGroups.join(', ')} (${givenGroups ? 'security-groups input' : `from service ${serviceName}`})`
      : "none given: the VPC's default security group";
    publicIpFrom = `${assignPublicIp}${overrides.assignPublicIp ? '' : copied?.assignPublicIp ? ` (from service ${serviceName})` : ' (default)'}`;
  }

  // RunTask takes a capacity provider strategy or a launch type, never both; a service created
  // with a strategy reports no launch type, and one created with a launch type an empty strategy.
  const strategy = (service.capacityProviderStrategy ?? [])
    .filter((item) => item.capacityProvider)
    .map((item) => ({
      capacityProvider: item.capacityProvider as string,
      ...(item.weight !== undefined ? { weight: item.weight } : {}),
      ...(item.base !== undefined ? { base: item.base } : {}),
    }));
  const launchType = strategy.length === 0 ? service.launchType : undefined;
  const capacity =
    strategy.length > 0
      ? `capacity providers ${strategy.map((item) => `${item.capacityProvider} (weight ${item.weight ?? 0}, base ${item.base ?? 0})`).join(', ')}`
      : launchType
        ? `launch type ${launchType}`
        : "the cluster's default capacity provider strategy";
  // The platform version applies to Fargate only; the service's (LATEST or pinned) is the one
  // its tasks proved to work with.
  const platformVersion = service.platformVersion || undefined;

  return {
    ...(networkConfiguration ? { networkConfiguration } : {}),
    ...(strategy.length > 0 ? { capacityProviderStrategy: strategy } : {}),
    ...(launchType ? { launchType } : {}),
    ...(platformVersion ? { platformVersion } : {}),
    describe: {
      subnets: subnetsFrom,
      securityGroups: groupsFrom,
      publicIp: publicIpFrom,
      capacity: platformVersion ? `${capacity}, platform version ${platformVersion}` : capacity,
    },
  };
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  const items = (list ?? []).map((item) => item.trim()).filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}
