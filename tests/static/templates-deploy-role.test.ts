// The GitHub deploy role (github-oidc.yaml) against what the pipeline really calls: every AWS API
// call in the actions' sources (found by their `new XxxCommand(` and the SDK client they come
// from) and the calls the roadmap's deploy and migration actions will make must be allowed, and
// the role must allow nothing with a wildcard action and touch no stack but the pipeline's four.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  asList,
  loadTemplate,
  repoRoot,
  statementsOf,
  templateNames,
  templatePath,
} from '../support-cfn/templates.js';

const oidc = loadTemplate('github-oidc');
const deployStatements = (
  oidc.Resources.DeployRole?.Properties?.Policies as { PolicyDocument: unknown }[]
).flatMap((policy) => statementsOf(policy.PolicyDocument));
const executionStatements = (
  oidc.Resources.CloudFormationExecutionRole?.Properties?.Policies as { PolicyDocument: unknown }[]
).flatMap((policy) => statementsOf(policy.PolicyDocument));

/** SDK client package → IAM service prefix. */
const PREFIX: Record<string, string> = {
  'client-cloudformation': 'cloudformation',
  'client-s3': 's3',
  'client-cloudfront': 'cloudfront',
  'client-ecs': 'ecs',
  'client-ecr': 'ecr',
  'client-cloudwatch-logs': 'logs',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-ec2': 'ec2',
  'client-iam': 'iam',
  'client-sts': 'sts',
  'client-secrets-manager': 'secretsmanager',
};

/** Operations whose IAM action is not `<prefix>:<Operation>` (Service Authorization Reference). */
const IAM_ACTIONS: Record<string, string[]> = {
  's3:HeadObject': ['s3:GetObject'],
  's3:HeadBucket': ['s3:ListBucket'],
  's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
  's3:DeleteObjects': ['s3:DeleteObject'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:ListObjectVersions': ['s3:ListBucketVersions'],
  's3:ListParts': ['s3:ListMultipartUploadParts'],
  // Registering a revision or running a task with tags is also authorised as ecs:TagResource on
  // the new resource, and naming a task or execution role as iam:PassRole (ECS Developer Guide,
  // "Grant permission to tag resources on creation"; IAM User Guide, "Granting a user permissions
  // to pass a role to an AWS service").
  'ecs:RegisterTaskDefinition': ['ecs:RegisterTaskDefinition', 'ecs:TagResource', 'iam:PassRole'],
  'ecs:RunTask': ['ecs:RunTask', 'ecs:TagResource', 'iam:PassRole'],
};

/**
 * Calls an action makes only when an input asks for them, which this pipeline's deploy role does
 * not hold on purpose (the reason is the README's).
 */
const NOT_GRANTED: Record<string, string> = {
  // provision-stack's termination-protection input: an administrator turns protection on (a job
  // that can turn it on can turn it off, which would defeat it).
  'cloudformation:UpdateTerminationProtection': 'turned on by the administrator',
};

/**
 * Calls of deploy-ecs-service, run-db-migration-via-task and provision-stack's next edition (issues
 * 10, 12 and 13), granted before their code lands so that the scan above finds them allowed.
 */
const ROADMAP_CALLS = [
  'cloudformation:DescribeEvents',
  'cloudformation:ListStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetStackPolicy',
  'ecs:DescribeClusters',
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:UpdateService',
  'ecs:ListServiceDeployments',
  'ecs:DescribeServiceDeployments',
  'ecs:DescribeServiceRevisions',
  'ecs:RunTask',
  'ecs:DescribeTasks',
  'ecs:ListTasks',
  'ecs:StopTask',
  'ecs:TagResource',
  'ecs:ListTagsForResource',
  'ecr:DescribeImages',
  'ecr:BatchGetImage',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:DescribeLogStreams',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTargetGroups',
  'iam:PassRole',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** Every `new XxxCommand(` in actions/<name>/src, as `<prefix>:<Operation>`, with where it is. */
export function sdkCallsOf(files: string[]): Map<string, string> {
  const calls = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const packageOf = new Map<string, string>();
    for (const match of text.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([\w-]+)'/g,
    )) {
      for (const name of match[1]!.split(',')) {
        const clean = name
          .replace(/\btype\b/, '')
          .trim()
          .split(/\s+as\s+/)[0]!;
        if (clean) packageOf.set(clean, match[2]!);
      }
    }
    for (const match of text.matchAll(/new\s+(\w+)Command\(/g)) {
      const where = `${path.relative(repoRoot, file)}: ${match[1]}Command`;
      const pkg = packageOf.get(`${match[1]}Command`);
      if (!pkg) throw new Error(`${where} is not imported from an @aws-sdk client`);
      const prefix = PREFIX[pkg];
      if (!prefix) throw new Error(`${where}: add ${pkg} to PREFIX`);
      calls.set(`${prefix}:${match[1]}`, where);
    }
  }
  return calls;
}

const actionDirs = readdirSync(path.join(repoRoot, 'actions'))
  .map((name) => path.join(repoRoot, 'actions', name, 'src'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
const sdkCalls = sdkCallsOf(actionDirs.flatMap(sourceFiles));

const actionPattern = (action: string) =>
  new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

function allows(statements: Record<string, unknown>[], action: string): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      asList(statement.Action as string | string[]).some((pattern) =>
        actionPattern(pattern).test(action),
      ),
  );
}

describe('the deploy role allows every call the pipeline makes', () => {
  it('finds the SDK calls of provision-stack and publish-frontend', () => {
    // Guards the scan itself: if it found nothing, every check below would pass vacuously.
    expect([...sdkCalls.keys()]).toEqual(
      expect.arrayContaining([
        'cloudformation:CreateChangeSet',
        'cloudformation:ExecuteChangeSet',
        's3:PutObject',
        'cloudfront:CreateInvalidation',
      ]),
    );
  });

  it.each([...sdkCalls.entries()])('%s (%s)', (call) => {
    if (call in NOT_GRANTED) {
      expect({ call, allowed: allows(deployStatements, call) }).toEqual({ call, allowed: false });
      return;
    }
    const needed = IAM_ACTIONS[call] ?? [call];
    expect(needed.filter((action) => !allows(deployStatements, action))).toEqual([]);
  });

  it.each(ROADMAP_CALLS)('%s (deploy-ecs-service, run-db-migration-via-task)', (action) => {
    expect(allows(deployStatements, action)).toBe(true);
  });

  it.each([
    'cloudformation:ValidateTemplate',
    'cloudformation:GetTemplateSummary',
    'cloudformation:ListChangeSets',
    's3:AbortMultipartUpload',
    's3:ListMultipartUploadParts',
    'cloudfront:GetDistributionConfig',
  ])('%s (calls the actions make through other operations or may add)', (action) => {
    expect(allows(deployStatements, action)).toBe(true);
  });

  it('hands the stacks to CloudFormation with the execution role and no other', () => {
    const passRole = deployStatements.filter((s) =>
      asList(s.Action as string[]).includes('iam:PassRole'),
    );
    const toCloudFormation = passRole.filter((s) =>
      JSON.stringify(s.Condition).includes('cloudformation.amazonaws.com'),
    );
    expect(toCloudFormation.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': ['CloudFormationExecutionRole', 'Arn'] },
    ]);
    for (const statement of passRole) expect(statement.Condition).toBeDefined();
  });

  it('every template fits inline (51,200 bytes), so the pipeline needs no template bucket', () => {
    for (const name of templateNames) {
      expect({ name, fits: statSync(templatePath(name)).size <= 51_200 }).toEqual({
        name,
        fits: true,
      });
    }
  });
});

describe('the deploy role allows nothing broader', () => {
  it('no wildcard action, and no stack writes outside CloudFormation change sets', () => {
    const actions = deployStatements
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asList(s.Action as string[]));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(actions).not.toContain('cloudformation:CreateStack');
    expect(actions).not.toContain('cloudformation:UpdateStack');
  });

  it('CloudFormation calls name the four pipeline stacks exactly, never the deploy stack itself', () => {
    const stackResources = deployStatements
      .filter((s) =>
        asList(s.Action as string[]).some((a) => a === 'cloudformation:ExecuteChangeSet'),
      )
      .flatMap((s) => asList(s.Resource as unknown[]))
      .map((resource) => (resource as { 'Fn::Sub': string })['Fn::Sub']);
    expect(stackResources.map((arn) => arn.replace(/^.*:stack\//, ''))).toEqual([
      '${EnvironmentName}-network/*',
      '${EnvironmentName}-data/*',
      '${EnvironmentName}-app/*',
      '${EnvironmentName}-edge/*',
    ]);
  });

  it("the execution role changes only the roles the pipeline stacks generate, and attaches only RDS monitoring's policy", () => {
    const iamStatements = executionStatements.filter((s) =>
      asList(s.Action as string[]).some(
        (a) => a.startsWith('iam:') && a !== 'iam:CreateServiceLinkedRole',
      ),
    );
    const resources = iamStatements.flatMap((s) =>
      asList(s.Resource as unknown[]).map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']),
    );
    for (const resource of resources) {
      expect(resource).toMatch(/:role\/\$\{EnvironmentName\}-(network|data|app)-\*$/);
    }
    // The roles generated for the deploy stack itself (<env>-github-deploy-*) are out of reach.
    const reaches = (roleName: string) =>
      resources.some((resource) =>
        actionPattern(resource.replace(/^.*:role\//, '')).test(roleName),
      );
    expect(reaches('${EnvironmentName}-github-deploy-DeployRole-ABC')).toBe(false);
    expect(reaches('${EnvironmentName}-app-TaskRole-ABC')).toBe(true);
    const attach = iamStatements.filter((s) =>
      asList(s.Action as string[]).includes('iam:AttachRolePolicy'),
    );
    expect(attach).toHaveLength(1);
    expect(JSON.stringify(attach[0]?.Condition)).toContain(
      'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    );
    // ...which is the only managed policy any template attaches.
    const attached = templateNames.flatMap((name) =>
      Object.values(loadTemplate(name).Resources).flatMap((r) =>
        asList(r.Properties?.ManagedPolicyArns as unknown[]),
      ),
    );
    expect(attached).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
      },
    ]);
  });

  it("the execution role reaches S3 only in the edge stack's buckets and cannot share or read other secrets", () => {
    const s3 = executionStatements.filter((s) =>
      asList(s.Action as string[]).some((a) => a.startsWith('s3:')),
    );
    expect(s3.map((s) => s.Effect)).toEqual(['Allow']);
    expect(asList(s3[0]?.Resource as unknown[])).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${EnvironmentName}-edge-*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${EnvironmentName}-edge-*/*' },
    ]);
    const denied = (action: string) =>
      executionStatements.filter(
        (s) => s.Effect === 'Deny' && asList(s.Action as string[]).includes(action),
      );
    expect(denied('secretsmanager:PutResourcePolicy')).toHaveLength(1);
    expect(denied('secretsmanager:PutResourcePolicy')[0]?.Condition).toBeUndefined();
    expect(denied('secretsmanager:GetSecretValue')[0]?.Condition).toEqual({
      StringNotEquals: { 'aws:ResourceTag/Environment': { Ref: 'EnvironmentName' } },
    });
    // The secrets the stacks resolve (the public layout's origin secrets) carry that tag.
    for (const id of ['OriginVerifySecretA', 'OriginVerifySecretB']) {
      const secret = loadTemplate('app').Resources[id];
      expect(secret?.Properties?.Tags).toContainEqual({
        Key: 'Environment',
        Value: { Ref: 'EnvironmentName' },
      });
    }
  });
});
