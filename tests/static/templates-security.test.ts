// Security rules of our own on the parsed templates: what matters most for a three-tier app that
// must be reachable only through CloudFront, keep its database private and its secrets out of text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MANIFEST_NAME } from '../../actions/publish-frontend/src/remote-objects.js';
import {
  asList,
  loadAllTemplates,
  renderTemplate,
  resourcesOfType,
  statementsOf,
  type Template,
  templateNames,
  templatePath,
  templatesDir,
  repoRoot,
  walk,
} from '../support-cfn/templates.js';

const templates = loadAllTemplates();
const all = Object.entries(templates) as [string, Template][];

// The two layouts of app.yaml and edge.yaml (README, "How CloudFront reaches the API"): internal
// behind a CloudFront VPC origin (the default), and the public layout for regions without VPC
// origins. Checks that hold for one layout only read the template as CloudFormation renders it.
const PUBLIC_APP = { LoadBalancerScheme: 'internet-facing', CloudFrontPrefixListId: 'pl-3b927c52' };
const publicApp = renderTemplate(templates.app, PUBLIC_APP);
const internalApp = renderTemplate(templates.app);
const INTERNAL_EDGE = {
  ApiOriginDomainName: 'internal-staging-api-1.eu-west-1.elb.amazonaws.com',
  ApiVpcOriginId: 'vo_JQEa410sssUFoY6wMkx69j',
  ApiLoadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
  VpcOriginSecurityGroupId: 'sg-0fedcba9876543210',
};
const PUBLIC_EDGE = {
  ApiOriginDomainName: 'staging-api-1.eu-west-1.elb.amazonaws.com',
  ApiLoadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
  VpcOriginSecurityGroupId: 'None',
  OriginVerifySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf',
  OriginVerifySecretKey: 'g1',
};
const internalEdge = renderTemplate(templates.edge, INTERNAL_EDGE);
const publicEdge = renderTemplate(templates.edge, PUBLIC_EDGE);

/** Every ingress rule of every template: inline in a group, or a separate SecurityGroupIngress. */
function ingressRules(
  template: Template,
): { owner: unknown; rule: Record<string, unknown>; where: string }[] {
  const rules: { owner: unknown; rule: Record<string, unknown>; where: string }[] = [];
  for (const [id, group] of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
    for (const rule of asList(
      group.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined,
    )) {
      rules.push({ owner: { Ref: id }, rule, where: id });
    }
  }
  for (const [id, ingress] of resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')) {
    rules.push({ owner: ingress.Properties?.GroupId, rule: ingress.Properties ?? {}, where: id });
  }
  return rules;
}

function policyDocuments(template: Template): { where: string; document: unknown }[] {
  const documents: { where: string; document: unknown }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const { value, at } of walk(resource.Properties ?? {})) {
      const key = at[at.length - 1];
      if (typeof key === 'string' && /^(PolicyDocument|AssumeRolePolicyDocument)$/.test(key)) {
        documents.push({ where: `${id}.${at.join('.')}`, document: value });
      }
    }
  }
  return documents;
}

const portsOf = (rule: Record<string, unknown>) => ({ from: rule.FromPort, to: rule.ToPort });
const coversPort = (rule: Record<string, unknown>, port: number) =>
  rule.IpProtocol === '-1' || (Number(rule.FromPort) <= port && Number(rule.ToPort) >= port);

describe('network exposure', () => {
  it.each(all)('%s.yaml: no security group admits 0.0.0.0/0 or ::/0', (_name, template) => {
    const open = ingressRules(template)
      .filter(({ rule }) =>
        [...walk(rule)].some(({ value }) => value === '0.0.0.0/0' || value === '::/0'),
      )
      .map(({ where }) => where);
    expect(open).toEqual([]);
  });

  it('public layout: the load balancer admits only the CloudFront origin-facing prefix list, in one rule', () => {
    const app = publicApp;
    const albRules = ingressRules(app).filter(
      ({ owner }) => JSON.stringify(owner) === JSON.stringify({ Ref: 'LoadBalancerSecurityGroup' }),
    );
    expect(albRules.length).toBeGreaterThan(0);
    for (const { rule } of albRules) {
      expect(rule.SourcePrefixListId).toEqual({ Ref: 'CloudFrontPrefixListId' });
      expect(rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourceSecurityGroupId).toBeUndefined();
      // One rule for both ports the load balancer listens on (item 3 of issue 11): a prefix-list
      // rule counts as 55 of the group's 60 rules, so there is never room for a second one.
      expect({ from: rule.FromPort, to: rule.ToPort }).toEqual({ from: 80, to: 443 });
    }
    expect(albRules).toHaveLength(1);
    expect(app.Parameters?.CloudFrontPrefixListId?.Type).toBe('String');
  });

  it('internal (default): no rule of the app stack admits anything to the load balancer; edge.yaml admits the VPC origin only', () => {
    const albRules = ingressRules(internalApp).filter(
      ({ owner }) => JSON.stringify(owner) === JSON.stringify({ Ref: 'LoadBalancerSecurityGroup' }),
    );
    expect(albRules).toEqual([]);
    const edgeRules = ingressRules(internalEdge);
    expect(
      edgeRules.map(({ owner, rule }) => ({ owner, source: rule.SourceSecurityGroupId })),
    ).toEqual([
      {
        owner: { Ref: 'ApiLoadBalancerSecurityGroupId' },
        source: { Ref: 'VpcOriginSecurityGroupId' },
      },
    ]);
    expect(ingressRules(publicEdge)).toEqual([]);
  });

  it('public layout: the load balancer answers 403 unless the secret header is present', () => {
    const app = publicApp;
    for (const [, listener] of resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::Listener')) {
      const actions = JSON.stringify(listener.Properties?.DefaultActions);
      expect(actions).not.toContain('"forward"');
      expect(actions).toMatch(/"StatusCode":"403"|"Type":"redirect"/);
    }
    const rules = resourcesOfType(app, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    // Both values of the rotation pair are accepted; CloudFront sends one (OriginSecretInUse).
    expect(rule.Properties?.Conditions).toEqual([
      {
        Field: 'http-header',
        HttpHeaderConfig: {
          HttpHeaderName: 'X-Origin-Verify',
          Values: [
            {
              'Fn::Sub':
                '{{resolve:secretsmanager:${OriginVerifySecretA}:SecretString:g${OriginSecretGenerationA}}}',
            },
            {
              'Fn::Sub':
                '{{resolve:secretsmanager:${OriginVerifySecretB}:SecretString:g${OriginSecretGenerationB}}}',
            },
          ],
        },
      },
    ]);
    expect(resourcesOfType(app, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([
      'OriginVerifySecretA',
      'OriginVerifySecretB',
    ]);
  });

  it('internal (default): 403 except the API paths, and no secret at all', () => {
    for (const [, listener] of resourcesOfType(
      internalApp,
      'AWS::ElasticLoadBalancingV2::Listener',
    )) {
      expect(JSON.stringify(listener.Properties?.DefaultActions)).toMatch(
        /"StatusCode":"403"|"Type":"redirect"/,
      );
    }
    const rules = resourcesOfType(internalApp, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties?.Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api', '/api/*'] } },
    ]);
    expect(resourcesOfType(internalApp, 'AWS::SecretsManager::Secret')).toEqual([]);
  });

  it('the load balancer and the database send nothing but what they must', () => {
    const nothing = [
      {
        Description: 'Matches no traffic (disallows all)',
        IpProtocol: 'icmp',
        FromPort: 252,
        ToPort: 86,
        CidrIp: '255.255.255.255/32',
      },
    ];
    expect(
      templates.app.Resources.LoadBalancerSecurityGroup?.Properties?.SecurityGroupEgress,
    ).toEqual(nothing);
    expect(templates.data.Resources.DatabaseSecurityGroup?.Properties?.SecurityGroupEgress).toEqual(
      nothing,
    );
    const albEgress = resourcesOfType(templates.app, 'AWS::EC2::SecurityGroupEgress').map(
      ([, egress]) => egress.Properties,
    );
    expect(albEgress).toEqual([
      expect.objectContaining({
        GroupId: { Ref: 'LoadBalancerSecurityGroup' },
        DestinationSecurityGroupId: { Ref: 'ServiceSecurityGroup' },
        FromPort: { Ref: 'ContainerPort' },
      }),
    ]);
  });

  it('the tasks run in private subnets without public IPs and admit only the load balancer', () => {
    const service = templates.app.Resources.Service!;
    expect(service.Properties?.NetworkConfiguration).toMatchObject({
      AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: { Ref: 'PrivateSubnetIds' } },
    });
    const serviceRules = ingressRules(templates.app).filter(
      ({ owner }) => JSON.stringify(owner) === JSON.stringify({ Ref: 'ServiceSecurityGroup' }),
    );
    expect(serviceRules.map(({ rule }) => rule.SourceSecurityGroupId)).toEqual([
      { Ref: 'LoadBalancerSecurityGroup' },
    ]);
  });

  it('public subnets assign no public IPs on launch', () => {
    for (const [, subnet] of resourcesOfType(templates.network, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
  });
});

describe('the database', () => {
  const data = templates.data;

  it('admits 3306 only from the application client group, which the service carries', () => {
    const dbRules = ingressRules(data).filter(
      ({ owner }) => JSON.stringify(owner) === JSON.stringify({ Ref: 'DatabaseSecurityGroup' }),
    );
    expect(
      dbRules.map(({ rule }) => ({
        ...portsOf(rule),
        source: rule.SourceSecurityGroupId,
        cidr: rule.CidrIp,
      })),
    ).toEqual([
      { from: 3306, to: 3306, source: { Ref: 'DatabaseClientSecurityGroup' }, cidr: undefined },
    ]);
    expect(data.Resources.DatabaseCluster?.Properties?.VpcSecurityGroupIds).toEqual([
      { Ref: 'DatabaseSecurityGroup' },
    ]);
    expect(data.Outputs?.DatabaseClientSecurityGroupId?.Value).toEqual({
      Ref: 'DatabaseClientSecurityGroup',
    });
    const serviceGroups = templates.app.Resources.Service?.Properties?.NetworkConfiguration as {
      AwsvpcConfiguration: { SecurityGroups: unknown[] };
    };
    expect(serviceGroups.AwsvpcConfiguration.SecurityGroups).toContainEqual({
      Ref: 'DatabaseClientSecurityGroupId',
    });
  });

  it('no other group in any template admits 3306', () => {
    const others = all.flatMap(([name, template]) =>
      ingressRules(template)
        .filter(({ where }) => !(name === 'data' && where === 'DatabaseSecurityGroup'))
        .filter(({ rule }) => coversPort(rule, 3306))
        .map(({ where }) => `${name}:${where}`),
    );
    expect(others).toEqual([]);
  });

  it('is private, encrypted, protected, backed up, and keeps a snapshot on delete or replace', () => {
    const cluster = data.Resources.DatabaseCluster!;
    expect(cluster.DeletionPolicy).toBe('Snapshot');
    expect(cluster.UpdateReplacePolicy).toBe('Snapshot');
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-mysql',
      StorageEncrypted: true,
      // A parameter, off for the first create only (item 5 of issue 11; README, "Deletion
      // protection and recovery"), and turned on with one run afterwards.
      DeletionProtection: { Ref: 'DeletionProtection' },
      ManageMasterUserPassword: true,
    });
    expect(data.Parameters?.DeletionProtection?.AllowedValues).toEqual(['true', 'false']);
    expect(data.Parameters?.BackupRetentionDays).toMatchObject({ Default: 7, MinValue: 7 });
    const instances = resourcesOfType(data, 'AWS::RDS::DBInstance');
    expect(instances).toHaveLength(2);
    expect(instances.map(([, i]) => i.Properties?.PubliclyAccessible)).toEqual([false, false]);
    // The zones of the network stack's subnets a and b (item 7 of issue 11), in that order.
    expect(instances.map(([, i]) => JSON.stringify(i.Properties?.AvailabilityZone))).toEqual([
      JSON.stringify({ 'Fn::Select': [0, { Ref: 'AvailabilityZones' }] }),
      JSON.stringify({ 'Fn::Select': [1, { Ref: 'AvailabilityZones' }] }),
    ]);
  });

  it('pins no Aurora patch version by default and stays on MySQL 8.0', () => {
    expect(data.Parameters?.EngineVersion?.Default).toBe('');
    expect(data.Resources.ClusterParameterGroup?.Properties?.Family).toBe('aurora-mysql8.0');
  });
});

describe('policies', () => {
  it.each(all)('%s.yaml: no statement allows the * action on the * resource', (_name, template) => {
    const broad = policyDocuments(template).flatMap(({ where, document }) =>
      statementsOf(document)
        .filter((statement) => statement.Effect === 'Allow')
        .filter((statement) =>
          asList(statement.Action as string[]).some((action) => action === '*' || action === '*:*'),
        )
        .filter(
          (statement) =>
            statement.Resource === undefined ||
            asList(statement.Resource as unknown[]).includes('*'),
        )
        .map(() => where),
    );
    expect(broad).toEqual([]);
  });

  it.each(all)('%s.yaml: no Allow uses NotAction or NotResource', (_name, template) => {
    const inverted = policyDocuments(template).flatMap(({ where, document }) =>
      statementsOf(document)
        .filter(
          (statement) =>
            statement.Effect === 'Allow' &&
            ('NotAction' in statement || 'NotResource' in statement),
        )
        .map(() => where),
    );
    expect(inverted).toEqual([]);
  });

  it.each(all)(
    '%s.yaml: log-stream ARNs are not built on a log group Arn (it already ends in :*)',
    (_name, template) => {
      const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([id]) => id);
      const malformed = [...walk(template.Resources)]
        .filter(({ value }) => typeof value === 'string')
        .filter(({ value }) => logGroups.some((id) => (value as string).includes(`\${${id}.Arn}:`)))
        .map(({ at }) => at.join('.'));
      expect(malformed).toEqual([]);
    },
  );

  it('the GitHub OIDC trust pins aud and an exact sub for one repository and one environment', () => {
    const trust =
      templates['github-oidc'].Resources.DeployRole?.Properties?.AssumeRolePolicyDocument;
    const statements = statementsOf(trust);
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    const condition = statement?.Condition as Record<string, Record<string, unknown>>;
    expect(Object.keys(condition)).toEqual(['StringEquals']);
    expect(condition.StringEquals?.['token.actions.githubusercontent.com:aud']).toBe(
      'sts.amazonaws.com',
    );
    const sub = condition.StringEquals?.['token.actions.githubusercontent.com:sub'] as {
      'Fn::Sub': string;
    };
    expect(sub['Fn::Sub']).toBe(
      'repo:${GitHubOwner}/${GitHubRepository}:environment:${GitHubEnvironment}',
    );
    expect(sub['Fn::Sub']).not.toMatch(/[*?]/);
    // Nothing a caller passes can smuggle a wildcard into the sub.
    for (const parameter of ['GitHubOwner', 'GitHubRepository', 'GitHubEnvironment']) {
      const pattern = templates['github-oidc'].Parameters?.[parameter]?.AllowedPattern as
        string | undefined;
      expect(pattern).toBeDefined();
      expect(new RegExp(pattern!).test('*')).toBe(false);
      expect(new RegExp(pattern!).test('a*')).toBe(false);
    }
  });

  it('only CloudFormation can assume the stack execution role, and PassRole is scoped', () => {
    const oidc = templates['github-oidc'];
    const trust = statementsOf(
      oidc.Resources.CloudFormationExecutionRole?.Properties?.AssumeRolePolicyDocument,
    );
    expect(trust.map((s) => s.Principal)).toEqual([{ Service: 'cloudformation.amazonaws.com' }]);
    const passRoles = policyDocuments(oidc)
      .flatMap(({ document }) => statementsOf(document))
      .filter((s) => asList(s.Action as string[]).includes('iam:PassRole'));
    for (const statement of passRoles)
      expect(asList(statement.Resource as unknown[])).not.toContain('*');
  });
});

describe('secrets', () => {
  it.each(all)('%s.yaml: secret-like parameters are NoEcho with no default', (_name, template) => {
    for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
      if (/(password|secret|token|apikey)$/i.test(name)) {
        expect({ name, noEcho: String(parameter.NoEcho), default: parameter.Default }).toEqual({
          name,
          noEcho: 'true',
          default: undefined,
        });
      }
    }
  });

  it.each(all)('%s.yaml: no literal password, key or header secret anywhere', (name, template) => {
    const text = readFileSync(templatePath(name as (typeof templateNames)[number]), 'utf8');
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    for (const { value, at } of walk(template.Resources)) {
      const key = String(at[at.length - 1] ?? '');
      if (/password$/i.test(key) && key !== 'ManageMasterUserPassword') {
        throw new Error(
          `${name}.yaml sets ${at.join('.')} (use ManageMasterUserPassword or a dynamic reference)`,
        );
      }
      if (
        key === 'HeaderValue' ||
        (at.includes('HttpHeaderConfig') &&
          at.includes('Values') &&
          typeof at[at.length - 1] === 'number')
      ) {
        expect(JSON.stringify(value)).toContain('{{resolve:secretsmanager:');
      }
    }
  });

  it('the database password is managed by RDS, and the tasks get only the secret ARN', () => {
    expect(templates.data.Resources.DatabaseCluster?.Properties?.ManageMasterUserPassword).toBe(
      true,
    );
    expect(templates.data.Resources.DatabaseCluster?.Properties).not.toHaveProperty(
      'MasterUserPassword',
    );
    const containers = templates.app.Resources.BootstrapTaskDefinition?.Properties
      ?.ContainerDefinitions as {
      Environment: { Name: string; Value: unknown }[];
    }[];
    for (const variable of containers.flatMap((container) => container.Environment)) {
      if (/PASSWORD|SECRET|TOKEN|CREDENTIALS/.test(variable.Name)) {
        expect(variable.Name).toMatch(/_ARN$/);
        expect(variable.Value).toEqual({ Ref: 'DatabaseSecretArn' });
      }
    }
  });

  it('public layout: CloudFront sends the origin secret read from Secrets Manager, never a literal', () => {
    const apiOrigin = (edge: Template) =>
      (
        edge.Resources.Distribution?.Properties?.DistributionConfig as {
          Origins: Record<string, unknown>[];
        }
      ).Origins.find((origin) => origin.Id === 'api');
    expect(apiOrigin(publicEdge)?.OriginCustomHeaders).toEqual([
      {
        HeaderName: 'X-Origin-Verify',
        HeaderValue: {
          'Fn::Sub':
            '{{resolve:secretsmanager:${OriginVerifySecretArn}:SecretString:${OriginVerifySecretKey}}}',
        },
      },
    ]);
    // Through the VPC origin nothing needs a secret, so none travels.
    expect(apiOrigin(internalEdge)).not.toHaveProperty('OriginCustomHeaders');
  });
});

// Types without a Tags property in CloudFormation (cfn-lint rejects Tags on them).
const UNTAGGABLE = new Set([
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::Route',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::VPCEndpoint',
  'AWS::S3::BucketPolicy',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::CloudFront::Function',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::Route53::RecordSet',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::ECR::PullThroughCacheRule',
  'Custom::AppDatabaseUser',
]);

describe('environment', () => {
  it.each(all)(
    '%s.yaml: takes EnvironmentName and tags every taggable resource with it',
    (_name, template) => {
      expect(template.Parameters?.EnvironmentName?.Type).toBe('String');
      const untagged = Object.entries(template.Resources)
        .filter(([, resource]) => !UNTAGGABLE.has(resource.Type))
        .filter(([, resource]) => {
          const tags = resource.Properties?.Tags as { Key: string; Value: unknown }[] | undefined;
          return !tags?.some(
            (tag) =>
              tag.Key === 'Environment' &&
              JSON.stringify(tag.Value) === JSON.stringify({ Ref: 'EnvironmentName' }),
          );
        })
        .map(([id, resource]) => `${id} (${resource.Type})`);
      expect(untagged).toEqual([]);
    },
  );
});

describe('the drift trap', () => {
  it("the service names its task definition by family, the bootstrap revision's family, never by revision", () => {
    const app = templates.app;
    const family = app.Resources.BootstrapTaskDefinition?.Properties?.Family;
    const service = app.Resources.Service!;
    expect(service.Properties?.TaskDefinition).toEqual(family);
    expect(JSON.stringify(service.Properties?.TaskDefinition)).not.toMatch(
      /"Ref"|Fn::GetAtt|:\d+"/,
    );
    expect(asList(service.DependsOn)).toContain('BootstrapTaskDefinition');
    // Autoscaling owns the count; a DesiredCount here would reset it on every stack update.
    expect(service.Properties).not.toHaveProperty('DesiredCount');
  });

  it('stack policies refuse replacing or deleting the bootstrap revision and the cluster', () => {
    const policy = (file: string) =>
      JSON.parse(readFileSync(path.join(templatesDir, file), 'utf8')) as {
        Statement: { Effect: string; Action: string | string[]; Resource: string }[];
      };
    const denied = (file: string, logicalId: string) =>
      policy(file)
        .Statement.filter(
          (s) => s.Effect === 'Deny' && s.Resource === `LogicalResourceId/${logicalId}`,
        )
        .flatMap((s) => asList(s.Action))
        .sort();
    expect(templates.app.Resources).toHaveProperty('BootstrapTaskDefinition');
    // Not Update:Modify: the only property of a task definition that can change in place is its
    // tags, and a tag change on the stack must not refuse the whole update (item 4 of issue 11).
    expect(denied('app.stack-policy.json', 'BootstrapTaskDefinition')).toEqual([
      'Update:Delete',
      'Update:Replace',
    ]);
    expect(templates.data.Resources).toHaveProperty('DatabaseCluster');
    expect(denied('data.stack-policy.json', 'DatabaseCluster')).toEqual([
      'Update:Delete',
      'Update:Replace',
    ]);
  });

  it('the service rolls safely: circuit breaker with rollback, 100/200 percent, exec on, no public IP', () => {
    expect(templates.app.Resources.Service?.Properties).toMatchObject({
      EnableExecuteCommand: true,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
    });
    expect(templates.app.Resources.TargetGroup?.Properties).toMatchObject({
      TargetType: 'ip',
      HealthCheckPath: '/api/health',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
    });
    expect(templates.app.Parameters?.DeregistrationDelaySeconds).toMatchObject({
      Default: 30,
      MaxValue: 30,
    });
  });

  it('the bootstrap revision gives the example backend the environment it reads', () => {
    // Every later revision inherits this environment (deploy-ecs-service only changes the image
    // and merges extra variables), so it must match what example-app/backend/src/config.ts reads.
    const config = readFileSync(path.join(repoRoot, 'example-app/backend/src/config.ts'), 'utf8');
    const [container] = templates.app.Resources.BootstrapTaskDefinition?.Properties
      ?.ContainerDefinitions as { Environment: { Name: string }[] }[];
    const names = container!.Environment.map((variable) => variable.Name);
    for (const name of ['PORT', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SECRET_ARN']) {
      expect(names).toContain(name);
      expect(config).toMatch(new RegExp(`env\\.${name}\\b|'${name}'`));
    }
    expect(templates.app.Parameters?.ContainerPort?.Default).toBe(8080);
  });

  it('the bootstrap revision connects with TLS, which the cluster requires', () => {
    // require_secure_transport refuses plain connections (MySQL error 3159); the example backend
    // connects without TLS unless DB_TLS says otherwise.
    const clusterParameters = templates.data.Resources.ClusterParameterGroup?.Properties
      ?.Parameters as Record<string, string>;
    expect(clusterParameters.require_secure_transport).toBe('ON');
    const [container] = templates.app.Resources.BootstrapTaskDefinition?.Properties
      ?.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    const tls = container!.Environment.find((variable) => variable.Name === 'DB_TLS');
    expect(tls?.Value).toBe('rds');
    const config = readFileSync(path.join(repoRoot, 'example-app/backend/src/config.ts'), 'utf8');
    expect(config).toMatch(/env\.DB_TLS\b/);
    expect(config).toContain(`'${tls?.Value as string}'`);
  });

  it('ECS Exec works: the container runs as a non-root user on a writable root filesystem', () => {
    // ECS Exec's agent writes inside the container; a read-only root filesystem breaks it.
    const [container] = templates.app.Resources.BootstrapTaskDefinition?.Properties
      ?.ContainerDefinitions as Record<string, unknown>[];
    expect(container?.ReadonlyRootFilesystem).not.toBe(true);
    expect(container?.User).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(container?.Privileged).toBe(false);
  });
});

describe('the edge', () => {
  const config = templates.edge.Resources.Distribution?.Properties?.DistributionConfig as Record<
    string,
    unknown
  >;

  it('serves client routes index.html through a function on the S3 behaviour, not error responses', () => {
    expect(config).not.toHaveProperty('CustomErrorResponses');
    const defaults = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(defaults.TargetOriginId).toBe('site');
    expect(JSON.stringify(defaults.FunctionAssociations)).toContain('SpaRoutingFunction');
    const api = (config.CacheBehaviors as Record<string, unknown>[]).find(
      (b) => b.PathPattern === '/api/*',
    );
    expect(api).toBeDefined();
    expect(api).not.toHaveProperty('FunctionAssociations');
    expect(api?.AllowedMethods).toHaveLength(7);
  });

  it('sends /api without a trailing slash to the API as well, not to the SPA fallback', () => {
    const behaviours = config.CacheBehaviors as Record<string, unknown>[];
    const api = behaviours.find((b) => b.PathPattern === '/api/*');
    const bare = behaviours.find((b) => b.PathPattern === '/api');
    expect(bare).toEqual({ ...api, PathPattern: '/api' });
  });

  it('the bucket is private, TLS-only and readable only by this distribution', () => {
    const bucket = templates.edge.Resources.SiteBucket?.Properties;
    expect(bucket?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const statements = statementsOf(
      (templates.edge.Resources.SiteBucketPolicy?.Properties as { PolicyDocument: unknown })
        .PolicyDocument,
    );
    expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({
      Bool: { 'aws:SecureTransport': 'false' },
    });
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Principal)).toEqual([{ Service: 'cloudfront.amazonaws.com' }]);
    expect(JSON.stringify(allows[0]?.Condition)).toContain('distribution/${Distribution}');
  });

  it("keeps publish-frontend's manifest (every key and hash) away from visitors", () => {
    const statements = statementsOf(
      (templates.edge.Resources.SiteBucketPolicy?.Properties as { PolicyDocument: unknown })
        .PolicyDocument,
    );
    const denied = statements.find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Principal).includes('cloudfront'),
    );
    expect(denied?.Action).toBe('s3:GetObject');
    const resources = JSON.stringify(denied?.Resource);
    expect(resources).toContain(`\${SiteBucket.Arn}/${MANIFEST_NAME}`);
    expect(resources).toContain(`\${SiteBucket.Arn}/*/${MANIFEST_NAME}`);
  });
});

describe('what CloudFormation accepts beyond cfn-lint', () => {
  // The Rules section takes only the rule functions; anything else (Fn::Join, Fn::Sub ...) is a
  // template error at create time that cfn-lint does not report.
  const RULE_FUNCTIONS = new Set([
    'Ref',
    'Fn::And',
    'Fn::Contains',
    'Fn::EachMemberEquals',
    'Fn::EachMemberIn',
    'Fn::Equals',
    'Fn::Not',
    'Fn::Or',
    'Fn::RefAll',
    'Fn::ValueOf',
    'Fn::ValueOfAll',
  ]);

  it.each(all)('%s.yaml: Rules use only rule functions', (_name, template) => {
    const rules = (template as { Rules?: unknown }).Rules ?? {};
    const used = [...walk(rules)]
      .map(({ at }) => at[at.length - 1])
      .filter((key): key is string => typeof key === 'string' && /^(Ref|Fn::\w+)$/.test(key));
    expect(used.filter((fn) => !RULE_FUNCTIONS.has(fn))).toEqual([]);
  });

  it('edge.yaml: the Aliases rules tell an empty list from a given one', () => {
    const rules = (templates.edge as { Rules?: Record<string, { RuleCondition: unknown }> }).Rules;
    // An empty CommaDelimitedList is the list [''] to the rule functions.
    const condition = rules?.AliasesNeedCertificate?.RuleCondition;
    expect(condition).toEqual({
      'Fn::Not': [{ 'Fn::EachMemberEquals': [{ Ref: 'Aliases' }, ''] }],
    });
  });

  it('network.yaml: every VpcCidr the parameter admits holds the four subnets Fn::Cidr carves', () => {
    const network = templates.network;
    const pattern = new RegExp(network.Parameters?.VpcCidr?.AllowedPattern as string);
    const admitted = Array.from({ length: 17 }, (_, i) => 16 + i).filter((prefix) =>
      pattern.test(`10.0.0.0/${prefix}`),
    );
    expect(admitted).toContain(16);
    const carved = resourcesOfType(network, 'AWS::EC2::Subnet').map(([id, subnet]) => {
      const [index, cidr] = (subnet.Properties?.CidrBlock as { 'Fn::Select': [number, unknown] })[
        'Fn::Select'
      ];
      const [, count, bits] = (cidr as { 'Fn::Cidr': [unknown, number, number] })['Fn::Cidr'];
      return { id, index, count, prefix: 32 - bits };
    });
    expect(carved).toHaveLength(4);
    for (const { id, index, count, prefix } of carved) {
      expect({ id, index: index < count }).toEqual({ id, index: true });
      // count blocks of /prefix fit in the VPC only if its prefix is at most prefix - log2(count).
      for (const vpcPrefix of admitted) {
        expect({ id, vpcPrefix, fits: vpcPrefix + Math.log2(count) <= prefix }).toEqual({
          id,
          vpcPrefix,
          fits: true,
        });
      }
    }
  });
});

describe('security group texts EC2 accepts', () => {
  // EC2 refuses other characters (an apostrophe fails the whole stack); rules that name a prefix
  // list or a security group do not even take '&'. cfn-lint does not check either.
  const GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
  const RULE_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{0,255}$/;
  const sample = (value: unknown) =>
    typeof value === 'string'
      ? value
      : String((value as { 'Fn::Sub'?: string })['Fn::Sub']).replace(/\$\{[^}]+\}/g, 'staging');

  it.each(all)('%s.yaml: group and rule descriptions use only allowed characters', (_n, t) => {
    const bad: string[] = [];
    for (const [id, group] of resourcesOfType(t, 'AWS::EC2::SecurityGroup')) {
      const text = sample(group.Properties?.GroupDescription);
      if (!GROUP_TEXT.test(text)) bad.push(`${id}: ${text}`);
      for (const key of ['SecurityGroupIngress', 'SecurityGroupEgress']) {
        for (const rule of asList(group.Properties?.[key] as Record<string, unknown>[])) {
          if (rule.Description !== undefined && !RULE_TEXT.test(sample(rule.Description)))
            bad.push(`${id}.${key}: ${sample(rule.Description)}`);
        }
      }
    }
    for (const type of ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
      for (const [id, rule] of resourcesOfType(t, type)) {
        const text = sample(rule.Properties?.Description ?? '');
        if (!RULE_TEXT.test(text)) bad.push(`${id}: ${text}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the check refuses an apostrophe', () => {
    expect(RULE_TEXT.test("MySQL from the application's tasks")).toBe(false);
    expect(RULE_TEXT.test('MySQL from the application tasks')).toBe(true);
  });
});
