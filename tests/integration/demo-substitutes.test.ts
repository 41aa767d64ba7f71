// What the demo gives moto in place of the real templates (scripts/demo/substitutes): against the
// ring's moto (moto 5.2 as installed, without the demo's fixes), the real network.yaml fails with
// HTTP 500 and the one the demo prepares is created, with the outputs the next stack needs; the
// data stack's Aurora cluster and instances, made directly, are there with the endpoints its
// outputs name; and every prepared template passes moto's ValidateTemplate (cfn-lint, warnings
// too), which provision-stack calls first.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { REPO_ROOT } from '../../test-support/run-action.js';
import { awsClients } from '../../scripts/demo/aws-clients.mjs';
import { loadTemplate } from '../../scripts/demo/cfn-template.mjs';
import { cidrBlocks, evaluateConditions, parameterValues } from '../../scripts/demo/intrinsics.mjs';
import { motoResourceTypes } from '../../scripts/demo/moto-support.mjs';
import { prepareForMoto } from '../../scripts/demo/substitutes/engine.mjs';
import { COMPLETIONS, FALLBACK, HANDLERS } from '../../scripts/demo/substitutes/handlers.mjs';

/** What moto 5.2's CloudFormation cannot create of app.yaml and edge.yaml (their default layout). */
const TAKEN_OUT: Record<string, string[]> = {
  app: [
    'BootstrapImageCache',
    'Certificate',
    'CpuScalingPolicy',
    'HttpsListener',
    'LoadBalancerToService',
    'OriginVerifySecretA',
    'OriginVerifySecretB',
    'ScalableTarget',
    'VpcOrigin',
  ],
  edge: ['Distribution', 'OriginAccessControl', 'SiteBucketPolicy', 'SpaRoutingFunction'],
};

const template = (name: string) => path.join(REPO_ROOT, 'cloudformation', `${name}.yaml`);

function demoContext() {
  return {
    region: 'us-east-1',
    account: '123456789012',
    aws: awsClients({ endpoint: process.env.AWS_ENDPOINT_URL!, region: 'us-east-1' }),
    mariadb: undefined,
    edgeFunctions: new Map(),
    edgeBucketPolicies: new Map(),
    distributionConfigs: new Map(),
    runId: 'test',
  };
}

async function createPrepared(options: {
  name: string;
  stackName: string;
  parameters: Record<string, string>;
  demo: ReturnType<typeof demoContext>;
}) {
  const { types } = await motoResourceTypes();
  const prepared = await prepareForMoto({
    file: `${options.name}.yaml`,
    stackName: options.stackName,
    template: loadTemplate(template(options.name)),
    parameters: options.parameters,
    motoTypes: types,
    handlers: HANDLERS,
    fallback: FALLBACK,
    completions: COMPLETIONS,
    demo: options.demo,
  });
  const cloudformation = options.demo.aws.cloudformation;
  const body = JSON.stringify(prepared.template);
  // What provision-stack asks first: moto's cfn-lint finds nothing in what the demo gives it.
  await cloudformation.send(new ValidateTemplateCommand({ TemplateBody: body }));
  await cloudformation.send(
    new CreateStackCommand({
      StackName: options.stackName,
      TemplateBody: body,
      Parameters: Object.entries(options.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const [stack] = (
    await cloudformation.send(new DescribeStacksCommand({ StackName: options.stackName }))
  ).Stacks!;
  const { StackResources = [] } = await cloudformation.send(
    new DescribeStackResourcesCommand({ StackName: options.stackName }),
  );
  const after = await prepared.finish({
    stackResources: Object.fromEntries(
      StackResources.map((resource) => [
        resource.LogicalResourceId!,
        { type: resource.ResourceType!, physicalId: resource.PhysicalResourceId! },
      ]),
    ),
  });
  const outputs = Object.fromEntries(
    (stack!.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]),
  );
  return { stack: stack!, outputs, lines: [...prepared.lines, ...after] };
}

describe("the demo's templates for moto", () => {
  it('evaluates what it must compute itself: Fn::Cidr, list parameters, conditions', () => {
    expect(cidrBlocks('10.0.0.0/16', 4, 12)).toEqual([
      '10.0.0.0/20',
      '10.0.16.0/20',
      '10.0.32.0/20',
      '10.0.48.0/20',
    ]);
    expect(cidrBlocks('10.20.0.0/18', 2, 12)).toEqual(['10.20.0.0/20', '10.20.16.0/20']);
    expect(() => cidrBlocks('10.0.0.0/24', 4, 12)).toThrow('do not fit');
    const values = parameterValues(
      {
        A: { Type: 'CommaDelimitedList', Default: '' },
        B: { Type: 'String', Default: 'x' },
        C: { Type: 'List<AWS::EC2::Subnet::Id>' },
      },
      { C: 'subnet-1,subnet-2' },
    );
    expect(values).toEqual({ A: [''], B: 'x', C: ['subnet-1', 'subnet-2'] });
    const conditions = evaluateConditions(
      {
        IsB: { 'Fn::Equals': [{ Ref: 'B' }, 'x'] },
        NotB: { 'Fn::Not': [{ Condition: 'IsB' }] },
        Either: { 'Fn::Or': [{ Condition: 'NotB' }, { Condition: 'IsB' }] },
      },
      {
        parameters: values,
        pseudo: {},
        ref: () => undefined,
        getAtt: () => undefined,
      },
    );
    expect(conditions).toEqual({ IsB: true, NotB: false, Either: true });
  });

  it('fails on the real network.yaml (moto has no Fn::Cidr) and creates the one it prepares, with its outputs', async () => {
    const demo = demoContext();
    const real = readFileSync(template('network'), 'utf8');
    // moto 5.2: Fn::Select over the unevaluated Fn::Cidr raises KeyError: 0, an HTTP 500.
    // One attempt: the SDK would retry the 500 and get AlreadyExists for the half-made stack.
    const once = new CloudFormationClient({ maxAttempts: 1 });
    await expect(
      once.send(
        new CreateStackCommand({
          StackName: 'real-network',
          TemplateBody: real,
          Parameters: [{ ParameterKey: 'EnvironmentName', ParameterValue: 'real' }],
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });

    const network = await createPrepared({
      name: 'network',
      stackName: 'sub-network',
      parameters: { EnvironmentName: 'sub' },
      demo,
    });
    expect(network.stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(network.outputs.AvailabilityZones).toBe('us-east-1a,us-east-1b');
    expect(network.outputs.PrivateSubnetIds).toMatch(/^subnet-\w+,subnet-\w+$/);
    expect(network.lines[0]).toMatch(
      /^Fn::Cidr \(4 in network\.yaml\): moto's CloudFormation has no Fn::Cidr .*\(10\.0\.0\.0\/20, 10\.0\.16\.0\/20, 10\.0\.32\.0\/20, 10\.0\.48\.0\/20\)$/,
    );
    expect(network.lines).toContainEqual(
      expect.stringMatching(
        /^GetAtt PrivateSubnetA\.AvailabilityZone \(output AvailabilityZones\): /,
      ),
    );
    expect(network.lines).toContainEqual(
      expect.stringMatching(
        /^AWS::EC2::VPC Vpc \(network\.yaml\): .*set after the stack \(ec2 ModifyVpcAttribute: EnableDnsSupport true, EnableDnsHostnames true\)$/,
      ),
    );

    // The data stack on top: the cluster made directly, its instances after the stack, the
    // endpoints in the stack's outputs those of the cluster.
    const data = await createPrepared({
      name: 'data',
      stackName: 'sub-data',
      parameters: {
        EnvironmentName: 'sub',
        VpcId: network.outputs.VpcId!,
        PrivateSubnetIds: network.outputs.PrivateSubnetIds!,
        AvailabilityZones: network.outputs.AvailabilityZones!,
        DeletionProtection: 'false',
      },
      demo,
    });
    expect(data.stack.StackStatus).toBe('CREATE_COMPLETE');
    const [cluster] = (
      await demo.aws.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'sub-db' }))
    ).DBClusters!;
    expect(data.outputs.WriterEndpoint).toBe(cluster!.Endpoint);
    expect(data.outputs.ClusterIdentifier).toBe('sub-db');
    const { DBInstances = [] } = await demo.aws.rds.send(new DescribeDBInstancesCommand({}));
    expect(
      DBInstances.map((instance) => [
        instance.DBInstanceIdentifier,
        instance.DBClusterIdentifier,
        instance.AvailabilityZone,
      ]),
    ).toEqual([
      ['sub-db-1', 'sub-db', 'us-east-1a'],
      ['sub-db-2', 'sub-db', 'us-east-1b'],
    ]);
    // Without MariaDB the application user is not made, and the line says so.
    expect(data.lines).toContainEqual(
      expect.stringMatching(
        /^Custom::AppDatabaseUser AppDatabaseUser \(data\.yaml\): .*not created — no MariaDB on this machine/,
      ),
    );
  });

  it('prepares app.yaml and edge.yaml into templates moto validates without a finding, keeping what moto creates', async () => {
    const demo = demoContext();
    const { types } = await motoResourceTypes();
    const cloudformation = demo.aws.cloudformation as CloudFormationClient;
    // The VPC origin's substitute makes CloudFront's security group in the app's VPC.
    const { CreateVpcCommand } = await import('@aws-sdk/client-ec2');
    const vpc = await demo.aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const stacks: [string, Record<string, string>][] = [
      [
        'app',
        {
          EnvironmentName: 'lint',
          VpcId: vpc.Vpc!.VpcId!,
          PublicSubnetIds: 'subnet-1,subnet-2',
          PrivateSubnetIds: 'subnet-3,subnet-4',
          DatabaseClientSecurityGroupId: 'sg-12345678',
          DatabaseSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
          DatabaseWriterEndpoint: 'w.example',
          DatabaseReaderEndpoint: 'r.example',
        },
      ],
      [
        'edge',
        {
          EnvironmentName: 'lint',
          ApiOriginDomainName: 'internal-lint-api.us-east-1.elb.amazonaws.com',
          ApiVpcOriginId: 'vo_NotCreatedInMoto',
          ApiLoadBalancerSecurityGroupId: 'sg-12345678',
          VpcOriginSecurityGroupId: 'sg-87654321',
        },
      ],
    ];
    for (const [name, parameters] of stacks) {
      const prepared = await prepareForMoto({
        file: `${name}.yaml`,
        stackName: `lint-${name}`,
        template: loadTemplate(template(name)),
        parameters,
        motoTypes: types,
        handlers: HANDLERS,
        fallback: FALLBACK,
        demo,
      });
      const body = JSON.stringify(prepared.template);
      // moto's ValidateTemplate fails on any cfn-lint finding, warnings included.
      await cloudformation.send(new ValidateTemplateCommand({ TemplateBody: body }));
      // Only what moto cannot create is gone from what it gets (the lines say why for each).
      const takenOut = Object.keys(loadTemplate(template(name)).Resources)
        .filter((id) => !(id in prepared.template.Resources))
        .sort();
      expect(takenOut).toEqual(TAKEN_OUT[name]);
    }
  });
});
