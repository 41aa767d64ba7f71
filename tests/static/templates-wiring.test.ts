// The stacks are chained by plain parameters (network → data → app → edge): every output the
// README says feeds the next stack exists under that name, and the parameter it feeds exists with a
// type and pattern that accept what the output produces. Plus the service wiring a first deploy
// depends on (health checks, draining, scaling, the CloudFront-only listener).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  loadAllTemplates,
  renderTemplate,
  resourcesOfType,
  templatesDir,
  type TemplateName,
} from '../support-cfn/templates.js';

const templates = loadAllTemplates();

/** [from stack, output] → [to stack, parameter], as cloudformation/README.md lists them. */
const FEEDS: [TemplateName, string, TemplateName, string][] = [
  ['network', 'VpcId', 'data', 'VpcId'],
  ['network', 'PrivateSubnetIds', 'data', 'PrivateSubnetIds'],
  ['network', 'VpcId', 'app', 'VpcId'],
  ['network', 'PublicSubnetIds', 'app', 'PublicSubnetIds'],
  ['network', 'PrivateSubnetIds', 'app', 'PrivateSubnetIds'],
  ['network', 'AvailabilityZones', 'data', 'AvailabilityZones'],
  ['data', 'DatabaseClientSecurityGroupId', 'app', 'DatabaseClientSecurityGroupId'],
  // The application user's secret, not the master user's (data output SecretArn, which stays for
  // people): item 11 of issue 11.
  ['data', 'AppUserSecretArn', 'app', 'DatabaseSecretArn'],
  ['data', 'WriterEndpoint', 'app', 'DatabaseWriterEndpoint'],
  ['data', 'ReaderEndpoint', 'app', 'DatabaseReaderEndpoint'],
  ['data', 'Port', 'app', 'DatabasePort'],
  ['data', 'DatabaseName', 'app', 'DatabaseName'],
  ['app', 'OriginDomainName', 'edge', 'ApiOriginDomainName'],
  ['app', 'OriginProtocolPolicy', 'edge', 'ApiOriginProtocolPolicy'],
  ['app', 'VpcOriginId', 'edge', 'ApiVpcOriginId'],
  ['app', 'LoadBalancerSecurityGroupId', 'edge', 'ApiLoadBalancerSecurityGroupId'],
  ['app', 'OriginVerifySecretArn', 'edge', 'OriginVerifySecretArn'],
  ['app', 'OriginVerifySecretKey', 'edge', 'OriginVerifySecretKey'],
];

/** Parameters every stack needs from somewhere other than an earlier stack. */
const GIVEN_BY_THE_WORKFLOW: Record<string, string[]> = {
  data: ['EnvironmentName'],
  app: ['EnvironmentName', 'CloudFrontPrefixListId'],
  // Looked up between the app and edge stacks (README): CloudFront creates it with the VPC origin.
  edge: ['EnvironmentName', 'VpcOriginSecurityGroupId'],
};

describe('outputs feed the next stack under the names the README gives', () => {
  it.each(FEEDS)('%s.%s → %s.%s', (from, output, to, parameter) => {
    expect(templates[from].Outputs).toHaveProperty(output);
    expect(templates[to].Parameters).toHaveProperty(parameter);
    // An output that exists in one layout only feeds a parameter that can do without it.
    if (templates[from].Outputs?.[output]?.Condition !== undefined) {
      expect({ parameter, default: templates[to].Parameters?.[parameter]?.Default }).toEqual({
        parameter,
        default: '',
      });
    }
  });

  it.each(['data', 'app', 'edge'] as const)(
    '%s.yaml: every parameter without a default is fed by an earlier stack or the workflow',
    (name) => {
      const fed = new Set(FEEDS.filter(([, , to]) => to === name).map(([, , , p]) => p));
      const required = Object.entries(templates[name].Parameters ?? {})
        .filter(([, parameter]) => parameter.Default === undefined)
        .map(([parameter]) => parameter)
        .filter((parameter) => !fed.has(parameter))
        .filter((parameter) => !GIVEN_BY_THE_WORKFLOW[name]?.includes(parameter));
      expect(required).toEqual([]);
    },
  );

  it('comma-joined subnet outputs feed list parameters', () => {
    for (const output of ['PublicSubnetIds', 'PrivateSubnetIds']) {
      const value = templates.network.Outputs?.[output]?.Value as { 'Fn::Join': [string, unknown] };
      expect(value['Fn::Join'][0]).toBe(',');
    }
    for (const [name, parameter] of [
      ['data', 'PrivateSubnetIds'],
      ['app', 'PublicSubnetIds'],
      ['app', 'PrivateSubnetIds'],
    ] as const) {
      expect(templates[name].Parameters?.[parameter]?.Type).toBe('List<AWS::EC2::Subnet::Id>');
    }
  });

  it('values the outputs produce pass the patterns of the parameters they feed', () => {
    const pattern = (name: TemplateName, parameter: string) =>
      new RegExp(templates[name].Parameters?.[parameter]?.AllowedPattern as string);
    // What RDS names its managed secret and what Secrets Manager names a generated one.
    expect(
      pattern('app', 'DatabaseSecretArn').test(
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-AbCdEf',
      ),
    ).toBe(true);
    expect(
      pattern('edge', 'OriginVerifySecretArn').test(
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OriginVerifySecret-a1B2c3D4e5F6-XyZ123',
      ),
    ).toBe(true);
    // An ALB's DNS name, and a custom origin name.
    expect(
      pattern('edge', 'ApiOriginDomainName').test(
        'staging-api-1234567890.eu-west-1.elb.amazonaws.com',
      ),
    ).toBe(true);
    expect(pattern('edge', 'ApiOriginDomainName').test('origin.example.com')).toBe(true);
    // An internal load balancer's DNS name, a VPC origin id (CloudFront API Reference, VpcOrigin
    // Id), a security group id and what the CLI prints for a group that does not exist.
    expect(
      pattern('edge', 'ApiOriginDomainName').test(
        'internal-staging-api-1234567890.eu-west-1.elb.amazonaws.com',
      ),
    ).toBe(true);
    expect(pattern('edge', 'ApiVpcOriginId').test('vo_JQEa410sssUFoY6wMkx69j')).toBe(true);
    expect(pattern('edge', 'VpcOriginSecurityGroupId').test('sg-0123456789abcdef0')).toBe(true);
    expect(pattern('edge', 'VpcOriginSecurityGroupId').test('None')).toBe(true);
    expect(pattern('edge', 'VpcOriginSecurityGroupId').test('')).toBe(false);
    expect(pattern('edge', 'OriginVerifySecretKey').test('g12')).toBe(true);
    expect(pattern('network', 'AvailabilityZoneA').test('ap-northeast-1c')).toBe(true);
    expect(templates.edge.Parameters?.ApiOriginProtocolPolicy?.AllowedValues).toEqual(
      expect.arrayContaining(
        (templates.app.Outputs?.OriginProtocolPolicy?.Value as { 'Fn::If': unknown[] })[
          'Fn::If'
        ].slice(1),
      ),
    );
    expect(pattern('app', 'CloudFrontPrefixListId').test('pl-3b927c52')).toBe(true);
    expect(pattern('app', 'CloudFrontPrefixListId').test('pl-0123456789abcdef0')).toBe(true);
  });
});

describe('the service and its load balancer', () => {
  const app = templates.app;
  const r = app.Resources;

  it('health checks on /api/health every 10 s, healthy after 2, drained in 30 s or less', () => {
    const group = r.TargetGroup?.Properties ?? {};
    expect(group).toMatchObject({
      TargetType: 'ip',
      HealthCheckPath: '/api/health',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
    expect(Number(group.HealthCheckTimeoutSeconds)).toBeLessThan(10);
    expect(group.TargetGroupAttributes).toContainEqual({
      Key: 'deregistration_delay.timeout_seconds',
      Value: { Ref: 'DeregistrationDelaySeconds' },
    });
    expect(app.Parameters?.DeregistrationDelaySeconds).toMatchObject({ Default: 30, MaxValue: 30 });
    expect(r.Service?.Properties?.HealthCheckGracePeriodSeconds).toEqual({
      Ref: 'HealthCheckGracePeriodSeconds',
    });
    expect(app.Parameters?.HealthCheckGracePeriodSeconds?.Default).toBe(30);
  });

  it.each([
    ['VPC origin', 'VpcOriginConfig', { ApiVpcOriginId: 'vo_JQEa410sssUFoY6wMkx69j' }],
    ['public layout', 'CustomOriginConfig', {}],
  ] as const)(
    "the ALB keeps connections open longer than CloudFront's keep-alive (no 502 on reuse): %s",
    (_layout, config, values) => {
      const attributes = r.LoadBalancer?.Properties?.LoadBalancerAttributes as {
        Key: string;
        Value: string;
      }[];
      const idle = Number(attributes.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value);
      const edge = renderTemplate(templates.edge, {
        ApiOriginDomainName: 'staging-api-1.eu-west-1.elb.amazonaws.com',
        ApiLoadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
        VpcOriginSecurityGroupId: 'sg-0fedcba9876543210',
        ...values,
      });
      const origins = (
        edge.Resources.Distribution?.Properties?.DistributionConfig as {
          Origins: ({ Id: string } & Record<string, { OriginKeepaliveTimeout?: number }>)[];
        }
      ).Origins;
      const keepAlive = origins.find((o) => o.Id === 'api')?.[config]?.OriginKeepaliveTimeout;
      expect(keepAlive).toBeGreaterThan(0);
      expect(idle).toBeGreaterThan(keepAlive ?? 0);
    },
  );

  it('the service is registered with the load balancer only after the listener rule exists', () => {
    const service = r.Service!;
    expect(service.DependsOn).toEqual(
      expect.arrayContaining(['BootstrapTaskDefinition', 'FromCloudFrontRule']),
    );
    expect(service.Properties?.LoadBalancers).toEqual([
      {
        ContainerName: 'api',
        ContainerPort: { Ref: 'ContainerPort' },
        TargetGroupArn: { Ref: 'TargetGroup' },
      },
    ]);
    expect(r.FromCloudFrontRule?.Properties?.Actions).toEqual([
      { Type: 'forward', TargetGroupArn: { Ref: 'TargetGroup' } },
    ]);
  });

  it('CPU target tracking scales the service between MinTasks and MaxTasks', () => {
    expect(r.ScalableTarget?.Properties).toMatchObject({
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: { 'Fn::Sub': 'service/${Cluster}/${Service.Name}' },
      MinCapacity: { Ref: 'MinTasks' },
      MaxCapacity: { Ref: 'MaxTasks' },
    });
    expect(r.CpuScalingPolicy?.Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: 'ScalableTarget' },
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: { Ref: 'CpuTargetPercent' },
      },
    });
  });

  it('with a domain: DNS-validated certificate, HTTPS listener, HTTP redirects, 443 only', () => {
    const withDomain = (id: string) => r[id]?.Condition;
    expect(withDomain('Certificate')).toBe('HasDomain');
    expect(r.Certificate?.Properties).toMatchObject({ ValidationMethod: 'DNS' });
    expect(withDomain('HttpsListener')).toBe('HasDomain');
    expect(r.HttpsListener?.Properties).toMatchObject({
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: 'Certificate' } }],
    });
    expect(r.HttpListener?.Properties?.DefaultActions).toEqual([
      {
        'Fn::If': [
          'HasDomain',
          expect.objectContaining({
            Type: 'redirect',
            RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443' }),
          }),
          expect.objectContaining({ Type: 'fixed-response' }),
        ],
      },
    ]);
    // Public layout: one prefix-list rule for 80-443 whether or not there is a domain, so adding
    // one later changes no rule (item 3 of issue 11). Internal: edge.yaml opens the one port the
    // VPC origin uses, 443 with a domain.
    const ingress = resourcesOfType(app, 'AWS::EC2::SecurityGroupIngress').map(([, i]) => ({
      condition: i.Condition,
      from: i.Properties?.FromPort,
      to: i.Properties?.ToPort,
    }));
    expect(ingress).toEqual([{ condition: 'IsPublic', from: 80, to: 443 }]);
    expect(templates.edge.Resources.FromVpcOrigin?.Properties?.FromPort).toEqual({
      'Fn::If': ['OriginIsHttps', 443, 80],
    });
    expect(app.Resources.VpcOrigin?.Properties?.VpcOriginEndpointConfig).toMatchObject({
      OriginProtocolPolicy: { 'Fn::If': ['HasDomain', 'https-only', 'http-only'] },
    });
    expect(app.Outputs?.OriginProtocolPolicy?.Value).toEqual({
      'Fn::If': ['HasDomain', 'https-only', 'http-only'],
    });
  });

  it('the prefix-list parameter says how to look the id up, and the public layout cannot go without it', () => {
    expect(app.Parameters?.CloudFrontPrefixListId?.Description).toContain(
      'com.amazonaws.global.cloudfront.origin-facing',
    );
    // Empty by default (the internal layout does not use it); a Rules assertion refuses the public
    // layout without it before anything is created.
    const rules = (app as { Rules?: Record<string, unknown> }).Rules;
    expect(rules?.PublicLayoutNeedsPrefixList).toEqual({
      RuleCondition: { 'Fn::Equals': [{ Ref: 'LoadBalancerScheme' }, 'internet-facing'] },
      Assertions: [
        expect.objectContaining({
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CloudFrontPrefixListId' }, ''] }] },
        }),
      ],
    });
  });
});

describe('the database tier', () => {
  const cluster = templates.data.Resources.DatabaseCluster?.Properties ?? {};

  it('exports its logs to CloudWatch into groups with a retention', () => {
    const exported = cluster.EnableCloudwatchLogsExports as string[];
    expect(exported).toEqual(expect.arrayContaining(['audit', 'error', 'slowquery']));
    const groups = resourcesOfType(templates.data, 'AWS::Logs::LogGroup').map(
      ([, g]) => (g.Properties?.LogGroupName as { 'Fn::Sub': string })['Fn::Sub'],
    );
    for (const log of exported) {
      // RDS writes to /aws/rds/cluster/<cluster identifier>/<log>.
      expect(groups).toContain(`/aws/rds/cluster/\${EnvironmentName}-db/${log}`);
    }
    expect(cluster.DBClusterIdentifier).toEqual({ 'Fn::Sub': '${EnvironmentName}-db' });
  });

  it('keeps 7 or more days of backups and never sets a plaintext password', () => {
    expect(cluster.BackupRetentionPeriod).toEqual({ Ref: 'BackupRetentionDays' });
    expect(templates.data.Parameters?.BackupRetentionDays?.Default).toBeGreaterThanOrEqual(7);
    expect(cluster).not.toHaveProperty('MasterUserPassword');
  });
});

describe('the README figures follow the template defaults', () => {
  const readme = readFileSync(path.join(templatesDir, 'README.md'), 'utf8');
  const row = (start: string) => {
    const line = readme.split('\n').find((l) => l.startsWith(`| ${start}`));
    if (!line) throw new Error(`README has no table row starting with "${start}"`);
    return line;
  };
  const app = templates.app;
  const group = app.Resources.TargetGroup?.Properties ?? {};

  it('the rolling-deploy arithmetic uses the health check and draining defaults', () => {
    const healthy = Number(group.HealthyThresholdCount) * Number(group.HealthCheckIntervalSeconds);
    expect(row('Healthy in the target group')).toContain(
      `${String(group.HealthyThresholdCount)} × ${String(group.HealthCheckIntervalSeconds)} s = ${healthy} s`,
    );
    const drain = Number(app.Parameters?.DeregistrationDelaySeconds?.Default);
    expect(row('Old tasks drain')).toContain(`| ${drain} s |`);
    const start = Number(/~(\d+) s/.exec(row('New tasks start'))?.[1]);
    const stop = Number(/~(\d+) s/.exec(row('Old tasks stop'))?.[1]);
    expect(row('**Rolling deploy**')).toContain(`≈ ${start + healthy + drain + stop} s`);
  });

  it('the cost table prices the default sizes and adds up', () => {
    const cpu = Number(app.Parameters?.TaskCpu?.Default) / 1024;
    const memory = Number(app.Parameters?.TaskMemory?.Default) / 1024;
    const tasks = Number(app.Parameters?.MinTasks?.Default);
    expect(row('Fargate')).toContain(`${tasks} tasks × ${cpu} vCPU, ${memory} GB`);
    expect(row('Aurora MySQL')).toContain(
      String(templates.data.Parameters?.InstanceClass?.Default),
    );
    expect(resourcesOfType(templates.data, 'AWS::RDS::DBInstance')).toHaveLength(2);
    expect(row('NAT gateway')).toContain(
      `(\`${String(templates.network.Parameters?.NatMode?.Default)}\`)`,
    );
    const amounts = [
      'Fargate',
      'Aurora MySQL',
      'Aurora storage',
      'NAT gateway',
      'ALB',
      'Public IPv4',
      'CloudFront',
      'Other',
    ].map((name) => Number(/\$(\d+\.\d\d) \|\s*$/.exec(row(name))?.[1]));
    expect(amounts.every((amount) => Number.isFinite(amount))).toBe(true);
    const total = Number(/≈ \$(\d+) a month/.exec(row('**Total**'))?.[1]);
    expect(Math.round(amounts.reduce((a, b) => a + b, 0))).toBe(total);
  });

  it('the cost table counts the public addresses and secrets the default layout creates', () => {
    // Public IPv4 is billed per address-hour: the NAT gateways' Elastic IPs, and an
    // internet-facing ALB's address in each of its two subnets; the internal default has none.
    const network = renderTemplate(templates.network);
    const eips = resourcesOfType(network, 'AWS::EC2::EIP').length;
    const internal = app.Parameters?.LoadBalancerScheme?.Default === 'internal';
    const addresses = eips + (internal ? 0 : 2);
    expect(row('Public IPv4')).toContain(`| ${addresses} × 0.005 × 730 |`);
    expect(row('Public IPv4')).toContain(`$${(addresses * 0.005 * 730).toFixed(2)} |`);
    // Secrets: the RDS-managed master secret (ManageMasterUserPassword) and every Secret resource
    // of the default layout.
    const secrets =
      1 +
      resourcesOfType(renderTemplate(templates.data), 'AWS::SecretsManager::Secret').length +
      resourcesOfType(renderTemplate(app), 'AWS::SecretsManager::Secret').length;
    expect(row('Other')).toContain(`${secrets} secrets ($0.40`);
    expect(row('Other')).toContain(`${(secrets * 0.4).toFixed(2)}`);
  });
});
