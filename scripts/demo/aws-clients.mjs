// The SDK clients the demo itself uses against the local AWS (the actions make their own).
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** @param {{ endpoint: string, region: string }} options */
export function awsClients({ endpoint, region }) {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  };
  return {
    autoscaling: new ApplicationAutoScalingClient(config),
    cloudformation: new CloudFormationClient(config),
    cloudfront: new CloudFrontClient(config),
    ec2: new EC2Client(config),
    ecr: new ECRClient(config),
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    rds: new RDSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    secrets: new SecretsManagerClient(config),
  };
}
