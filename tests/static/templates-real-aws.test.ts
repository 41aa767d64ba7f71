// What the templates must do on real AWS that cfn-lint cannot see (issue 11): each block reads the
// property from the parsed template (rendered for the layout it is about) and cites the page of
// the AWS documentation it follows. The bootstrap server and the application-user provisioner,
// which are code inside the templates, are run by templates-bootstrap.test.ts and
// templates-app-user.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  asList,
  loadAllTemplates,
  renderTemplate,
  resourcesOfType,
  statementsOf,
  type Template,
  templateNames,
  templatesDir,
  walk,
} from '../support-cfn/templates.js';

const templates = loadAllTemplates();
const readme = readFileSync(path.join(templatesDir, 'README.md'), 'utf8');

const PUBLIC_APP = { LoadBalancerScheme: 'internet-facing', CloudFrontPrefixListId: 'pl-3b927c52' };
const DOMAIN = { OriginDomainName: 'origin.example.com', HostedZoneId: 'Z0123456789ABC' };
const EDGE_BASE = {
  ApiOriginDomainName: 'internal-staging-api-1.eu-west-1.elb.amazonaws.com',
  ApiLoadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
};
const INTERNAL_EDGE = {
  ...EDGE_BASE,
  ApiVpcOriginId: 'vo_JQEa410sssUFoY6wMkx69j',
  VpcOriginSecurityGroupId: 'sg-0fedcba9876543210',
};
const PUBLIC_EDGE = {
  ...EDGE_BASE,
  VpcOriginSecurityGroupId: 'None',
  OriginVerifySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf',
  OriginVerifySecretKey: 'g1',
};

const properties = (template: Template, id: string) => template.Resources[id]?.Properties ?? {};
const apiOrigin = (edge: Template) =>
  (
    properties(edge, 'Distribution').DistributionConfig as {
      Origins: Record<string, unknown>[];
    }
  ).Origins.find((origin) => origin.Id === 'api');
const policyStatements = (template: Template, roleId: string) =>
  (properties(template, roleId).Policies as { PolicyDocument: unknown }[]).flatMap((policy) =>
    statementsOf(policy.PolicyDocument),
  );
const allowsAction = (statements: Record<string, unknown>[], action: string) =>
  statements.filter(
    (statement) =>
      statement.Effect === 'Allow' && asList(statement.Action as string[]).includes(action),
  );

describe('1. the load balancer is internal, behind a CloudFront VPC origin, by default', () => {
  const app = renderTemplate(templates.app);
  const edge = renderTemplate(templates.edge, INTERNAL_EDGE);

  it('is internal and in the private subnets unless the public layout is asked for', () => {
    // ELB User Guide, "Application Load Balancers" (load balancer scheme): the nodes of an
    // internal load balancer have only private IP addresses.
    expect(templates.app.Parameters?.LoadBalancerScheme).toMatchObject({
      Default: 'internal',
      AllowedValues: ['internal', 'internet-facing'],
    });
    expect(properties(app, 'LoadBalancer')).toMatchObject({
      Scheme: { Ref: 'LoadBalancerScheme' },
      Subnets: { Ref: 'PrivateSubnetIds' },
    });
    const publicApp = renderTemplate(templates.app, PUBLIC_APP);
    expect(properties(publicApp, 'LoadBalancer').Subnets).toEqual({ Ref: 'PublicSubnetIds' });
    expect(publicApp.Resources).not.toHaveProperty('VpcOrigin');
  });

  it('has a VPC origin for the load balancer, which the distribution uses for the API', () => {
    // CloudFormation User Guide, AWS::CloudFront::VpcOrigin (VpcOriginEndpointConfig: Arn, Name,
    // HTTPPort, HTTPSPort, OriginProtocolPolicy, OriginSSLProtocols) and
    // AWS::CloudFront::Distribution Origin.VpcOriginConfig (VpcOriginId).
    expect(app.Resources.VpcOrigin?.Type).toBe('AWS::CloudFront::VpcOrigin');
    expect(properties(app, 'VpcOrigin').VpcOriginEndpointConfig).toMatchObject({
      Arn: { Ref: 'LoadBalancer' },
      HTTPPort: 80,
      HTTPSPort: 443,
      OriginProtocolPolicy: 'http-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    const withDomain = renderTemplate(templates.app, DOMAIN);
    expect(properties(withDomain, 'VpcOrigin').VpcOriginEndpointConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
    });
    expect(app.Outputs?.VpcOriginId?.Value).toEqual({ 'Fn::GetAtt': ['VpcOrigin', 'Id'] });
    expect(apiOrigin(edge)).toEqual({
      Id: 'api',
      DomainName: { Ref: 'ApiOriginDomainName' },
      VpcOriginConfig: {
        VpcOriginId: { Ref: 'ApiVpcOriginId' },
        OriginReadTimeout: 30,
        OriginKeepaliveTimeout: 5,
      },
    });
  });

  it("admits CloudFront's VPC-origin security group to the load balancer, and nothing else", () => {
    // CloudFront Developer Guide, "Restrict access with VPC origins": CloudFront creates the
    // security group CloudFront-VPCOrigins-Service-SG in the VPC for the network interfaces of
    // its VPC origins; the origin's security group admits that group.
    const ingress = resourcesOfType(edge, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress.map(([id]) => id)).toEqual(['FromVpcOrigin']);
    expect(ingress[0]?.[1].Properties).toEqual({
      GroupId: { Ref: 'ApiLoadBalancerSecurityGroupId' },
      Description: expect.anything(),
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: { Ref: 'VpcOriginSecurityGroupId' },
    });
    const https = renderTemplate(templates.edge, {
      ...INTERNAL_EDGE,
      ApiOriginProtocolPolicy: 'https-only',
    });
    expect(properties(https, 'FromVpcOrigin')).toMatchObject({ FromPort: 443, ToPort: 443 });
    expect(templates.edge.Parameters?.VpcOriginSecurityGroupId?.Description).toContain(
      'CloudFront-VPCOrigins-Service-SG',
    );
    // No rule of the app stack admits anything in this layout.
    expect(resourcesOfType(app, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    // A VPC origin without its group would leave the API unreachable: refused before anything.
    expect(templates.edge.Rules?.VpcOriginNeedsItsSecurityGroup?.Assertions).toEqual([
      expect.objectContaining({
        Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'VpcOriginSecurityGroupId' }, 'None'] }] },
      }),
    ]);
  });

  it('sends no secret through the VPC origin, and the load balancer forwards only the API paths', () => {
    expect(apiOrigin(edge)).not.toHaveProperty('OriginCustomHeaders');
    expect(resourcesOfType(app, 'AWS::SecretsManager::Secret')).toEqual([]);
    expect(properties(app, 'FromCloudFrontRule').Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api', '/api/*'] } },
    ]);
  });

  it('public layout: HTTPS to the origin whenever a domain is given', () => {
    const publicWithDomain = renderTemplate(templates.app, { ...PUBLIC_APP, ...DOMAIN });
    expect(publicWithDomain.Outputs?.OriginProtocolPolicy?.Value).toBe('https-only');
    expect(properties(publicWithDomain, 'FromCloudFrontRule').ListenerArn).toEqual({
      Ref: 'HttpsListener',
    });
    expect(properties(publicWithDomain, 'HttpListener').DefaultActions).toEqual([
      expect.objectContaining({ Type: 'redirect' }),
    ]);
    const publicEdge = renderTemplate(templates.edge, {
      ...PUBLIC_EDGE,
      ApiOriginProtocolPolicy: 'https-only',
    });
    expect(apiOrigin(publicEdge)?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: { Ref: 'ApiOriginProtocolPolicy' },
      OriginSSLProtocols: ['TLSv1.2'],
    });
  });

  it('the CloudFormation execution role may create the VPC-origin service-linked role', () => {
    // CloudFront Developer Guide, "Use service-linked roles for CloudFront":
    // AWSServiceRoleForCloudFrontVPCOrigin, trusted by vpcorigin.cloudfront.amazonaws.com.
    const statements = policyStatements(templates['github-oidc'], 'CloudFormationExecutionRole');
    const [linked] = allowsAction(statements, 'iam:CreateServiceLinkedRole');
    expect(JSON.stringify(linked?.Condition)).toContain('vpcorigin.cloudfront.amazonaws.com');
  });
});

describe('2. the public layout rotates its origin secret in one run without refusing a request', () => {
  const app = renderTemplate(templates.app, PUBLIC_APP);

  it('the load balancer accepts both secrets; CloudFront is told which one to send', () => {
    // CloudFormation User Guide, "Get a secret or secret value from Secrets Manager" (dynamic
    // references): a reference is resolved again only when its text changes, hence the
    // generation in the JSON key.
    const values = (
      properties(app, 'FromCloudFrontRule').Conditions as {
        HttpHeaderConfig: { Values: { 'Fn::Sub': string }[] };
      }[]
    )[0]!.HttpHeaderConfig.Values.map((value) => value['Fn::Sub']);
    expect(values).toEqual([
      '{{resolve:secretsmanager:${OriginVerifySecretA}:SecretString:g${OriginSecretGenerationA}}}',
      '{{resolve:secretsmanager:${OriginVerifySecretB}:SecretString:g${OriginSecretGenerationB}}}',
    ]);
    for (const slot of ['A', 'B']) {
      expect(properties(app, `OriginVerifySecret${slot}`).GenerateSecretString).toMatchObject({
        GenerateStringKey: { 'Fn::Sub': `g\${OriginSecretGeneration${slot}}` },
      });
    }
    const sendsB = renderTemplate(templates.app, { ...PUBLIC_APP, OriginSecretInUse: 'b' });
    expect(sendsB.Outputs?.OriginVerifySecretArn?.Value).toEqual({ Ref: 'OriginVerifySecretB' });
    expect(sendsB.Outputs?.OriginVerifySecretKey?.Value).toEqual({
      'Fn::Sub': 'g${OriginSecretGenerationB}',
    });
    expect(app.Outputs?.OriginVerifySecretArn?.Value).toEqual({ Ref: 'OriginVerifySecretA' });
    expect(readme).toContain('### Rotating the origin secret (public layout)');
  });
});

describe('3. one security-group rule for the CloudFront prefix list', () => {
  // VPC User Guide, "Reference prefix lists in your AWS resources": a rule that references a
  // managed prefix list counts as max-entries rules against the quota (55 for
  // com.amazonaws.global.cloudfront.origin-facing, against 60 rules per group).
  const prefixListRules = (template: Template) =>
    [...walk(template.Resources)].filter(
      ({ value, at }) => at[at.length - 1] === 'SourcePrefixListId' && value !== undefined,
    );

  it('the public layout has one prefix-list rule, for 80-443, with and without a domain', () => {
    const without = renderTemplate(templates.app, PUBLIC_APP);
    const withDomain = renderTemplate(templates.app, { ...PUBLIC_APP, ...DOMAIN });
    expect(prefixListRules(without)).toHaveLength(1);
    // Adding a domain (HTTP to HTTPS) changes nothing in the group: no replacement that would
    // need a second 55-entry rule for a moment.
    expect(withDomain.Resources.FromCloudFrontPrefixList).toEqual(
      without.Resources.FromCloudFrontPrefixList,
    );
    expect(properties(without, 'FromCloudFrontPrefixList')).toMatchObject({
      FromPort: 80,
      ToPort: 443,
    });
  });

  it('no other template and no other layout references the prefix list', () => {
    expect(prefixListRules(renderTemplate(templates.app))).toHaveLength(0);
    for (const name of templateNames.filter((name) => name !== 'app')) {
      expect({ name, rules: prefixListRules(templates[name]).length }).toEqual({ name, rules: 0 });
    }
  });
});

describe('4. the stack policy refuses only what would move the family', () => {
  it('the bootstrap revision may change tags in place; Replace and Delete stay refused', () => {
    // CloudFormation User Guide, "Prevent updates to stack resources" (Update:Modify,
    // Update:Replace, Update:Delete) and AWS::ECS::TaskDefinition (Tags: update requires no
    // interruption; every other property: replacement).
    const policy = JSON.parse(
      readFileSync(path.join(templatesDir, 'app.stack-policy.json'), 'utf8'),
    ) as { Statement: { Effect: string; Action: string | string[]; Resource: string }[] };
    const deny = policy.Statement.filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      {
        Effect: 'Deny',
        Principal: '*',
        Action: ['Update:Replace', 'Update:Delete'],
        Resource: 'LogicalResourceId/BootstrapTaskDefinition',
      },
    ]);
    expect(properties(templates.app, 'BootstrapTaskDefinition').Tags).toBeDefined();
  });
});

describe('5. a first create that fails rolls back cleanly', () => {
  // Amazon Aurora User Guide, "Deletion protection": a cluster with deletion protection cannot be
  // deleted, by RDS or by CloudFormation, until it is turned off.
  it('deletion protection is a parameter, off until the first create succeeded', () => {
    expect(templates.data.Parameters?.DeletionProtection).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(properties(templates.data, 'DatabaseCluster').DeletionProtection).toEqual({
      Ref: 'DeletionProtection',
    });
    expect(templates.data.Outputs?.DeletionProtection?.Value).toEqual({
      Ref: 'DeletionProtection',
    });
    // A delete or replacement still keeps a final snapshot, protected or not.
    expect(templates.data.Resources.DatabaseCluster?.DeletionPolicy).toBe('Snapshot');
  });

  it('the README tells when to turn it on and how to recover either way', () => {
    const section = readme.slice(readme.indexOf('### Deletion protection and recovery'));
    expect(section).toContain('DeletionProtection=true');
    expect(section).toContain('ROLLBACK_FAILED');
    expect(section).toContain('aws rds modify-db-cluster');
    expect(section).toContain('--no-deletion-protection');
    expect(section).toContain('deletion_protection.enabled,Value=false');
  });
});

describe('7. Availability Zones are parameters, checked before anything is created', () => {
  // CloudFormation User Guide, "Rules" (Fn::Contains, Fn::RefAll with the
  // AWS::EC2::AvailabilityZone::Name parameter type); EC2 User Guide, "AZ IDs": AZ names map to
  // different zones per account.
  const network = templates.network;

  it('the subnets use the given zones, or the first two of the region when none are given', () => {
    const given = renderTemplate(network, {
      AvailabilityZoneA: 'us-west-1b',
      AvailabilityZoneB: 'us-west-1c',
    });
    const defaults = renderTemplate(network);
    for (const [subnet, letter, index] of [
      ['PublicSubnetA', 'A', 0],
      ['PrivateSubnetA', 'A', 0],
      ['PublicSubnetB', 'B', 1],
      ['PrivateSubnetB', 'B', 1],
    ] as const) {
      expect(properties(given, subnet).AvailabilityZone).toEqual({
        Ref: `AvailabilityZone${letter}`,
      });
      expect(properties(defaults, subnet).AvailabilityZone).toEqual({
        'Fn::Select': [index, { 'Fn::GetAZs': '' }],
      });
    }
  });

  it('a Rules assertion refuses an unknown zone, a lone zone and the same zone twice', () => {
    const rules = network.Rules ?? {};
    expect(rules.AvailabilityZonesComeInPairs?.Assertions).toEqual([
      expect.objectContaining({
        Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AvailabilityZoneA' }, ''] }] },
      }),
    ]);
    const exist = rules.GivenAvailabilityZonesExist?.Assertions.map((a) => a.Assert);
    const allZones = { 'Fn::RefAll': 'AWS::EC2::AvailabilityZone::Name' };
    expect(exist).toEqual([
      { 'Fn::Contains': [allZones, { Ref: 'AvailabilityZoneA' }] },
      { 'Fn::Contains': [allZones, { Ref: 'AvailabilityZoneB' }] },
      {
        'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AvailabilityZoneA' }, { Ref: 'AvailabilityZoneB' }] }],
      },
    ]);
  });

  it('the database instances follow the subnets: writer in a, reader in b', () => {
    expect(network.Outputs?.AvailabilityZones?.Value).toEqual({
      'Fn::Join': [
        ',',
        [
          { 'Fn::GetAtt': ['PrivateSubnetA', 'AvailabilityZone'] },
          { 'Fn::GetAtt': ['PrivateSubnetB', 'AvailabilityZone'] },
        ],
      ],
    });
    expect(properties(templates.data, 'WriterInstance').AvailabilityZone).toEqual({
      'Fn::Select': [0, { Ref: 'AvailabilityZones' }],
    });
    expect(properties(templates.data, 'ReaderInstance').AvailabilityZone).toEqual({
      'Fn::Select': [1, { Ref: 'AvailabilityZones' }],
    });
    expect(readme).toContain('### Choosing the Availability Zones');
  });
});

describe('8. a first deploy outlasts the default session, not the deploy role', () => {
  // IAM User Guide, "Update the maximum session duration for a role" (MaxSessionDuration: 3,600
  // to 43,200 s); configure-aws-credentials asks for role-duration-seconds (one hour by default).
  const row = (start: string) => {
    const line = readme.split('\n').find((l) => l.startsWith(`| ${start}`));
    if (!line) throw new Error(`README has no table row starting with "${start}"`);
    return line;
  };
  const minutes = (line: string) =>
    [...line.matchAll(/(\d+) min/g)].map((match) => Number(match[1]));

  it('the README adds up the pessimistic first deploy, and the role lasts longer', () => {
    const stages = [
      'network stack',
      'data stack',
      'app stack',
      'edge stack',
      'image, migration, roll',
    ];
    const worst = stages.map((stage) => minutes(row(stage)).at(-1) ?? Number.NaN);
    expect(worst.every(Number.isFinite)).toBe(true);
    const total = worst.reduce((a, b) => a + b, 0);
    expect(minutes(row('**First deploy**')).at(-1)).toBe(total);
    const role = properties(templates['github-oidc'], 'DeployRole');
    expect(Number(role.MaxSessionDuration)).toBeGreaterThanOrEqual(total * 60);
    expect(readme).toContain(`role-duration-seconds: ${String(role.MaxSessionDuration)}`);
  });

  it('the data stack row counts the reader after the writer, as the template orders them', () => {
    expect(templates.data.Resources.ReaderInstance?.DependsOn).toBe('WriterInstance');
    expect(row('data stack')).toMatch(/writer.*then.*reader/);
  });
});

describe('9. the deploy role cannot destroy the data tier', () => {
  const statements = policyStatements(templates['github-oidc'], 'DeployRole');
  const stackOf = (arn: unknown) =>
    (arn as { 'Fn::Sub': string })['Fn::Sub'].replace(/^.*:stack\/\$\{EnvironmentName\}-/, '');

  it('denies DeleteStack on the data stack and allows it only on the other three', () => {
    const deny = statements.filter(
      (s) =>
        s.Effect === 'Deny' && asList(s.Action as string[]).includes('cloudformation:DeleteStack'),
    );
    expect(deny.flatMap((s) => asList(s.Resource as unknown[]).map(stackOf))).toEqual(['data/*']);
    const allow = allowsAction(statements, 'cloudformation:DeleteStack');
    expect(allow.flatMap((s) => asList(s.Resource as unknown[]).map(stackOf)).sort()).toEqual([
      'app/*',
      'edge/*',
      'network/*',
    ]);
  });

  it('cannot turn termination protection on or off (the administrator does)', () => {
    expect(allowsAction(statements, 'cloudformation:UpdateTerminationProtection')).toEqual([]);
    expect(readme).toContain('aws cloudformation update-termination-protection');
  });
});

describe('10. registering a tagged revision is allowed on the family, at creation only', () => {
  // ECS Developer Guide, "Grant permission to tag resources on creation": RegisterTaskDefinition
  // and RunTask with tags also need ecs:TagResource, limited by the ecs:CreateAction condition.
  const statements = policyStatements(templates['github-oidc'], 'DeployRole');
  const tagging = allowsAction(statements, 'ecs:TagResource');

  it.each([
    ['RegisterTaskDefinition', 'task-definition/${EnvironmentName}-api:*'],
    ['RunTask', 'task/${EnvironmentName}/*'],
  ])('%s → ecs:TagResource on %s', (createAction, resource) => {
    const statement = tagging.find(
      (s) =>
        JSON.stringify(s.Condition) ===
        JSON.stringify({ StringEquals: { 'ecs:CreateAction': createAction } }),
    );
    expect(statement).toBeDefined();
    expect(
      asList(statement?.Resource as unknown[]).map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']),
    ).toEqual([`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${resource}`]);
  });

  it('never tags existing resources', () => {
    expect(tagging.filter((s) => s.Condition === undefined)).toEqual([]);
  });
});

describe('11. the application connects as its own user, not as the master user', () => {
  // Aurora User Guide, "Master user account privileges": the master user holds global privileges
  // (users, grants, every schema); RDS Data API User Guide, ExecuteStatement with a secret.
  const data = templates.data;
  const user = properties(data, 'AppDatabaseUser');

  it('a custom resource creates it with schema privileges only, and a secret of its own', () => {
    expect(data.Resources.AppDatabaseUser?.Type).toBe('Custom::AppDatabaseUser');
    expect(user).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': ['AppUserProvisioner', 'Arn'] },
      Database: { Ref: 'DatabaseName' },
      Username: { Ref: 'AppUsername' },
      AppSecretArn: { Ref: 'AppUserSecret' },
    });
    const privileges = user.Privileges as string[];
    for (const global of [
      'ALL',
      'ALL PRIVILEGES',
      'SUPER',
      'CREATE USER',
      'GRANT OPTION',
      'RELOAD',
      'FILE',
      'PROCESS',
      'SHUTDOWN',
    ]) {
      expect(privileges).not.toContain(global);
    }
    expect(privileges).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']));
    expect(data.Resources.AppDatabaseUser?.DependsOn).toBe('WriterInstance');
    expect(properties(data, 'DatabaseCluster').EnableHttpEndpoint).toBe(true);
  });

  it('the service, the migration task and the bootstrap revision get the application secret only', () => {
    const app = templates.app;
    expect(data.Outputs?.AppUserSecretArn?.Value).toEqual({ Ref: 'AppUserSecret' });
    const readable = allowsAction(
      policyStatements(app, 'TaskRole'),
      'secretsmanager:GetSecretValue',
    );
    expect(readable.map((s) => s.Resource)).toEqual([{ Ref: 'DatabaseSecretArn' }]);
    expect(app.Parameters?.DatabaseSecretArn?.Description).toContain('AppUserSecretArn');
    // The provisioner alone reads the master secret, to run the Data API statements as master.
    const masterReaders = templateNames.flatMap((name) =>
      Object.entries(templates[name].Resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Role')
        .filter(([, r]) => JSON.stringify(r.Properties).includes('MasterUserSecret'))
        .map(([id]) => `${name}:${id}`),
    );
    expect(masterReaders).toEqual(['data:AppUserProvisionerRole']);
  });
});

describe('12. the S3 gateway endpoint exists in every NAT mode', () => {
  // VPC User Guide (AWS PrivateLink), "Gateway endpoints": no additional charge; ECR User Guide,
  // "Amazon ECR interface VPC endpoints": image layers are served from Amazon S3.
  it.each(['single', 'per-az', 'none'])('NatMode %s', (mode) => {
    const network = renderTemplate(templates.network, { NatMode: mode });
    expect(properties(network, 'S3GatewayEndpoint')).toMatchObject({
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' },
      RouteTableIds: [{ Ref: 'PrivateRouteTableA' }, { Ref: 'PrivateRouteTableB' }],
    });
  });
});

describe('6. environment names RDS accepts in <env>-db', () => {
  // Amazon RDS User Guide, "Naming constraints in Amazon RDS"
  // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints):
  // a DB cluster or instance identifier is 1-63 letters, digits or hyphens, starts with a letter,
  // and contains no two consecutive hyphens and no trailing hyphen.
  const rdsIdentifier = (id: string) =>
    /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(id) && !id.includes('--') && !id.endsWith('-');
  const accepts = (template: Template, value: string) => {
    const parameter = template.Parameters?.EnvironmentName;
    return (
      new RegExp(parameter?.AllowedPattern ?? '').test(value) &&
      value.length >= (parameter?.MinLength ?? Number.NaN) &&
      value.length <= (parameter?.MaxLength ?? Number.NaN)
    );
  };
  const cases: [string, boolean][] = [
    ['staging', true],
    ['prod-eu-1', true],
    ['a1', true],
    ['a'.repeat(20), true],
    ['a'.repeat(21), false],
    ['a', false],
    ['a--b', false],
    ['ab-', false],
    ['-ab', false],
    ['1ab', false],
    ['Prod', false],
    ['a_b', false],
    ['', false],
  ];

  it.each(templateNames)('%s.yaml takes exactly the names whose <env>-db RDS accepts', (name) => {
    const template = templates[name];
    for (const [value, expected] of cases) {
      expect({ value, accepted: accepts(template, value) }).toEqual({ value, accepted: expected });
      if (expected)
        expect({ value, rds: rdsIdentifier(`${value}-db-2`) }).toEqual({ value, rds: true });
    }
  });

  it('every template spells the rule the same way', () => {
    const rules = new Set(
      templateNames.map((name) => {
        const parameter = templates[name].Parameters?.EnvironmentName;
        return JSON.stringify([
          parameter?.AllowedPattern,
          parameter?.MinLength,
          parameter?.MaxLength,
          parameter?.ConstraintDescription,
        ]);
      }),
    );
    expect(rules.size).toBe(1);
  });
});
