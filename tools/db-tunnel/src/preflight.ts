/**
 * Every check before anything is started, run together so that one run lists every problem with
 * its fix: local tools, the local port, the container's command, the task role, the network.
 * The credentials check (GetCallerIdentity) runs first of all, in tunnel.ts, since every AWS
 * check needs it.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskPlacement } from '../../../actions/common/src/ecs/network.js';
import type { Clients } from './aws.js';
import type { CheckResult } from './checks.js';
import { checkContainer } from './container-check.js';
import { checkLocalPort, checkLocalTools } from './local-checks.js';
import { checkNetworkReach } from './network-reach.js';
import { checkTaskRole } from './task-role.js';

export async function preflight(options: {
  clients: Pick<Clients, 'iam' | 'ec2'>;
  env: NodeJS.ProcessEnv;
  region: string;
  localPort: number;
  container: ContainerDefinition;
  taskRoleArn?: string;
  placement: TaskPlacement;
}): Promise<CheckResult[]> {
  const vpc = options.placement.networkConfiguration?.awsvpcConfiguration;
  const [port, role, network] = await Promise.all([
    checkLocalPort(options.localPort),
    checkTaskRole({ iam: options.clients.iam, roleArn: options.taskRoleArn }),
    vpc?.subnets?.length
      ? checkNetworkReach({
          ec2: options.clients.ec2,
          region: options.region,
          subnets: vpc.subnets,
          securityGroups: vpc.securityGroups ?? [],
          assignPublicIp: vpc.assignPublicIp === 'ENABLED',
        })
      : Promise.resolve<CheckResult>({
          name: 'network reaches ssmmessages',
          status: 'unknown',
          detail: 'the task is not in awsvpc mode; its host network is not checked',
        }),
  ]);
  return [
    ...checkLocalTools({ env: options.env }),
    port,
    ...checkContainer({
      container: options.container,
      ...(options.placement.platformVersion
        ? { platformVersion: options.placement.platformVersion }
        : {}),
    }),
    role,
    network,
  ];
}
