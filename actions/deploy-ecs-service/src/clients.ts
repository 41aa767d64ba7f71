/** The AWS clients this action uses, all from the shared factory. */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClient, resolveRegion } from '../../common/src/aws-client.js';

export interface Clients {
  region: string;
  ecs: ECSClient;
  /**
   * The same service with three attempts instead of eight, for the service-deployment calls: one
   * the endpoint lacks (moto answers HTTP 500) is recognised after a moment, not after the
   * adaptive back-off of eight attempts, and is then never asked again (deployment-api.ts).
   */
  ecsProbe: ECSClient;
  /** ECR in the image's own region (an image may live in another region than the service). */
  ecr: (region: string) => ECRClient;
  elb: ElasticLoadBalancingV2Client;
  logs: (region: string) => CloudWatchLogsClient;
}

export function createClients(options: {
  action: string;
  region?: string;
  env: NodeJS.ProcessEnv;
}): Clients {
  const context = { action: options.action, region: options.region, env: options.env };
  const region = resolveRegion(options.region, options.env);
  return {
    region,
    ecs: createClient(ECSClient, 'ECS', context),
    ecsProbe: createClient(ECSClient, 'ECS', context, { maxAttempts: 3 }),
    ecr: (imageRegion) => createClient(ECRClient, 'ECR', { ...context, region: imageRegion }),
    elb: createClient(ElasticLoadBalancingV2Client, 'ELASTIC_LOAD_BALANCING_V2', context),
    logs: (logRegion) =>
      createClient(CloudWatchLogsClient, 'CLOUDWATCH_LOGS', { ...context, region: logRegion }),
  };
}
