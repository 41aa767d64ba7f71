// What the demo does, resource type by resource type, for what moto's CloudFormation cannot
// create: create it directly through the service's own API in moto (before the stack when the
// stack's resources read it, after the stack when it reads theirs), or leave it out and say why.
// Each returns its one line for the demo's list of substitutes.
import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CreateDBClusterCommand,
  CreateDBClusterParameterGroupCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  ModifyDBClusterCommand,
  ModifyDBClusterParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { withoutPending } from '../intrinsics.mjs';
import { distributionConfigForApi } from './cloudfront-config.mjs';

/** @typedef {import('./engine.mjs').Handler} Handler */
/** @typedef {import('./engine.mjs').HandlerContext} HandlerContext */

const name = (/** @type {HandlerContext} */ c) => `${c.resource.Type} ${c.logicalId} (${c.file})`;

/** Strings CloudFormation would have converted for the API: 'true' → true, '7' → 7. */
function apiValues(/** @type {Record<string, any>} */ properties, /** @type {string[]} */ numbers) {
  return Object.fromEntries(
    Object.entries(properties).map(([key, value]) => {
      if (value === 'true' || value === 'false') return [key, value === 'true'];
      if (numbers.includes(key) && typeof value === 'string') return [key, Number(value)];
      return [key, value];
    }),
  );
}

/** A policy statement's principal is an AWS service (CloudFront), not '*' or an account. */
function isServicePrincipal(/** @type {unknown} */ principal) {
  return typeof principal === 'object' && principal !== null && 'Service' in principal;
}

/** A statement that denies requests without TLS (aws:SecureTransport false). */
function refusesPlainHttp(/** @type {any} */ statement) {
  return (
    statement.Effect === 'Deny' &&
    String(statement.Condition?.Bool?.['aws:SecureTransport']) === 'false'
  );
}

/** A password like Secrets Manager's GetRandomPassword: letters and digits. */
function password(/** @type {number} */ length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** A resource nothing in moto can stand for: left out, and the line says what replaces it. */
function notCreated(
  /** @type {string} */ instead,
  /** @type {(c: HandlerContext) => Record<string, unknown>} */ attributes = () => ({}),
) {
  /** @type {Handler} */
  const handler = {
    phase: 'before',
    create: async (c) => {
      const values = attributes(c);
      return {
        ref: values.Ref ?? `${c.logicalId}-not-created`,
        attributes: values,
        created: false,
        line: `${name(c)}: ${c.because}; not created — ${instead}`,
      };
    },
  };
  return handler;
}

/** @type {Handler} */
export const FALLBACK = notCreated(
  'the demo has no substitute for it (scripts/demo/substitutes/handlers.mjs)',
);

/** @type {Record<string, Handler>} */
export const HANDLERS = {
  'AWS::RDS::DBClusterParameterGroup': {
    phase: 'before',
    create: async (c) => {
      const p = c.properties();
      const group = (
        p.DBClusterParameterGroupName ?? `${c.stackName}-${c.logicalId}`
      ).toLowerCase();
      await c.demo.aws.rds.send(
        new CreateDBClusterParameterGroupCommand({
          DBClusterParameterGroupName: group,
          DBParameterGroupFamily: p.Family,
          Description: p.Description,
          Tags: p.Tags,
        }),
      );
      const parameters = Object.entries(p.Parameters ?? {}).map(([ParameterName, value]) => ({
        ParameterName,
        ParameterValue: String(value),
        ApplyMethod: /** @type {const} */ ('pending-reboot'),
      }));
      if (parameters.length > 0) {
        await c.demo.aws.rds.send(
          new ModifyDBClusterParameterGroupCommand({
            DBClusterParameterGroupName: group,
            Parameters: parameters,
          }),
        );
      }
      return {
        ref: group,
        attributes: {},
        created: true,
        line: `${name(c)}: ${c.because}; created directly (rds CreateDBClusterParameterGroup ${group}, ${parameters.length} parameters set)`,
      };
    },
  },

  'AWS::RDS::DBCluster': {
    phase: 'before',
    create: async (c) => {
      const { value, left } = withoutPending(c.properties());
      const p = apiValues(value, ['BackupRetentionPeriod', 'Port']);
      await c.demo.aws.rds.send(new CreateDBClusterCommand(p));
      const cluster = (
        await c.demo.aws.rds.send(
          new DescribeDBClustersCommand({ DBClusterIdentifier: p.DBClusterIdentifier }),
        )
      ).DBClusters?.[0];
      let engine = 'no MariaDB here, so no database engine behind it';
      if (c.demo.mariadb && p.DatabaseName) {
        await c.demo.mariadb.query(
          `CREATE DATABASE IF NOT EXISTS \`${p.DatabaseName}\` CHARACTER SET utf8mb4`,
        );
        engine = `its database ${p.DatabaseName} lives in the local MariaDB on 127.0.0.1:${c.demo.mariadb.port}, the stand-in for Aurora's engine`;
      }
      return {
        ref: cluster?.DBClusterIdentifier,
        attributes: {
          'Endpoint.Address': cluster?.Endpoint,
          'Endpoint.Port': String(cluster?.Port ?? p.Port ?? 3306),
          'ReadEndpoint.Address': cluster?.ReaderEndpoint,
          DBClusterArn: cluster?.DBClusterArn,
          DBClusterResourceId: cluster?.DbClusterResourceId,
          'MasterUserSecret.SecretArn': cluster?.MasterUserSecret?.SecretArn,
        },
        created: true,
        line:
          `${name(c)}: ${c.because}; created directly before the stack (rds CreateDBCluster ${p.DBClusterIdentifier}, its instances in the stack need it)` +
          `${left.length > 0 ? `, without ${left.map((entry) => entry.split(' ')[0]).join(' and ')} (made by the stack itself)` : ''}; ${engine}`,
      };
    },
    update: async (c) => {
      const before = /** @type {Record<string, unknown>} */ (c.created.properties ?? {});
      const now = apiValues(withoutPending(c.properties()).value, [
        'BackupRetentionPeriod',
        'Port',
      ]);
      const changed = Object.keys({ ...before, ...now }).filter(
        (key) =>
          JSON.stringify(apiValues(before, ['BackupRetentionPeriod', 'Port'])[key]) !==
          JSON.stringify(now[key]),
      );
      // What ModifyDBCluster can change in place, as CloudFormation's update does for these.
      const modifiable = [
        'DeletionProtection',
        'BackupRetentionPeriod',
        'PreferredBackupWindow',
        'PreferredMaintenanceWindow',
        'EnableHttpEndpoint',
        'EnableIAMDatabaseAuthentication',
        'CopyTagsToSnapshot',
      ];
      const unsupported = changed.filter((key) => !modifiable.includes(key));
      if (unsupported.length > 0)
        throw new Error(
          `DatabaseCluster: ${unsupported.join(', ')} changed, which the demo cannot apply to its substitute`,
        );
      await c.demo.aws.rds.send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: /** @type {string} */ (c.created.ref),
          ApplyImmediately: true,
          ...Object.fromEntries(changed.map((key) => [key, now[key]])),
        }),
      );
      return {
        substitute: {},
        line: `${c.logicalId} (${c.file}): ${changed.map((key) => `${key} ${JSON.stringify(apiValues(before, [])[key])} → ${JSON.stringify(now[key])}`).join(', ')} applied to the cluster the demo made (rds ModifyDBCluster), as the stack update would`,
      };
    },
    complete: async (c) => {
      const groups = c.properties().VpcSecurityGroupIds;
      if (!Array.isArray(groups) || groups.length === 0) return undefined;
      await c.demo.aws.rds.send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: /** @type {string} */ (c.created.ref),
          VpcSecurityGroupIds: groups,
          ApplyImmediately: true,
        }),
      );
      return `${c.logicalId}: its VpcSecurityGroupIds (${groups.join(', ')}) set once the stack had made them (rds ModifyDBCluster)`;
    },
  },

  // An Aurora instance: after the stack, which makes the monitoring role it names.
  'AWS::RDS::DBInstance': {
    phase: 'after',
    create: async (c) => {
      const p = apiValues(c.properties(), ['MonitoringInterval', 'PromotionTier', 'Port']);
      const created = await c.demo.aws.rds.send(new CreateDBInstanceCommand(p));
      return {
        ref: created.DBInstance?.DBInstanceIdentifier,
        attributes: {
          'Endpoint.Address': created.DBInstance?.Endpoint?.Address,
          'Endpoint.Port': String(created.DBInstance?.Endpoint?.Port ?? ''),
        },
        created: true,
        line: `${name(c)}: ${c.because}; created directly after the stack (rds CreateDBInstance ${p.DBInstanceIdentifier} in cluster ${p.DBClusterIdentifier})`,
      };
    },
  },

  'AWS::SecretsManager::Secret': {
    phase: 'before',
    create: async (c) => {
      const p = c.properties();
      let secretString = p.SecretString;
      const generate = p.GenerateSecretString;
      if (secretString === undefined && generate) {
        const base = generate.SecretStringTemplate ? JSON.parse(generate.SecretStringTemplate) : {};
        const value = password(Number(generate.PasswordLength ?? 32));
        secretString = generate.GenerateStringKey
          ? JSON.stringify({ ...base, [generate.GenerateStringKey]: value })
          : value;
      }
      const secretName = p.Name ?? `${c.logicalId}-${randomBytes(6).toString('hex')}`;
      const created = await c.demo.aws.secrets.send(
        new CreateSecretCommand({
          Name: secretName,
          Description: p.Description,
          SecretString: secretString,
          Tags: p.Tags,
        }),
      );
      return {
        ref: created.ARN,
        attributes: { Id: created.ARN },
        created: true,
        line: `${name(c)}: ${c.because}; created directly (secretsmanager CreateSecret ${secretName}${generate ? ', its value generated by the demo as GenerateSecretString describes' : ''})`,
      };
    },
  },

  // The data stack's custom resource: its Lambda function creates the application's MySQL user.
  'Custom::AppDatabaseUser': {
    phase: 'before',
    create: async (c) => {
      const { value: p } = withoutPending(c.properties());
      if (!c.demo.mariadb) {
        return {
          ref: `${p.ClusterArn}/${p.Username}`,
          attributes: { Username: p.Username },
          created: false,
          line: `${name(c)}: ${c.because}; not created — no MariaDB on this machine for the user to live in`,
        };
      }
      const user = `'${p.Username}'@'%'`;
      const secret = password(32);
      const mariadb = c.demo.mariadb;
      await mariadb.query(`CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY '${secret}'`);
      await mariadb.query(`ALTER USER ${user} IDENTIFIED BY '${secret}'`);
      await mariadb.query(`GRANT ${p.Privileges.join(', ')} ON \`${p.Database}\`.* TO ${user}`);
      await c.demo.aws.secrets.send(
        new PutSecretValueCommand({
          SecretId: p.AppSecretArn,
          SecretString: JSON.stringify({ username: p.Username, password: secret }),
        }),
      );
      return {
        ref: `${p.ClusterArn}/${p.Username}`,
        attributes: { Username: p.Username },
        created: true,
        line:
          `${name(c)}: ${c.because}; the demo does what its function does: user ${p.Username} with ${p.Privileges.join(', ')} on ${p.Database} in the local MariaDB, ` +
          'its password in the app user secret (without REQUIRE SSL: the local MariaDB has no TLS)',
      };
    },
  },

  'AWS::ECR::PullThroughCacheRule': notCreated(
    'moto has no ECR pull-through cache API; the rule only lets Fargate pull the bootstrap image, and the demo runs the bootstrap command as a local process instead',
  ),

  'AWS::CloudFront::VpcOrigin': {
    phase: 'before',
    create: async (c) => {
      const id = 'vo_NotCreatedInMoto';
      // What CloudFront does with the first VPC origin in a VPC: it makes this security group,
      // which edge.yaml then admits to the load balancer.
      const vpc = /** @type {string} */ (c.scope.parameters.VpcId);
      const group = await c.demo.aws.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'CloudFront-VPCOrigins-Service-SG',
          Description: 'CloudFront VPC origins (made by the demo in place of CloudFront)',
          VpcId: vpc,
        }),
      );
      return {
        ref: id,
        attributes: { Id: id, Arn: `arn:aws:cloudfront::${c.demo.account}:vpcorigin/${id}` },
        created: false,
        line:
          `${name(c)}: ${c.because}; not created — moto has no CloudFront VPC origins API: the edge stack gets the placeholder id ${id}, ` +
          `the local edge reaches the local API on 127.0.0.1 directly, and the demo makes the group CloudFront would (CloudFront-VPCOrigins-Service-SG ${group.GroupId} in ${vpc})`,
      };
    },
  },

  'AWS::CloudFront::Function': {
    phase: 'before',
    create: async (c) => {
      const p = c.properties();
      const arn = `arn:aws:cloudfront::${c.demo.account}:function/${p.Name}`;
      // The local edge runs this very code on the behaviours that associate this ARN.
      c.demo.edgeFunctions.set(arn, { name: p.Name, code: p.FunctionCode });
      return {
        ref: arn,
        attributes: { 'FunctionMetadata.FunctionARN': arn, FunctionARN: arn, Stage: 'LIVE' },
        created: false,
        line: `${name(c)}: ${c.because}; not created — moto has no CloudFront Functions API; the local edge runs its FunctionCode on the behaviours that associate it`,
      };
    },
  },

  'AWS::CloudFront::OriginAccessControl': {
    phase: 'before',
    create: async (c) => {
      const p = c.properties();
      const created = await c.demo.aws.cloudfront.send(
        new CreateOriginAccessControlCommand({
          OriginAccessControlConfig: p.OriginAccessControlConfig,
        }),
      );
      return {
        ref: created.OriginAccessControl?.Id,
        attributes: { Id: created.OriginAccessControl?.Id },
        created: true,
        line: `${name(c)}: ${c.because}; created directly (cloudfront CreateOriginAccessControl ${created.OriginAccessControl?.Id})`,
      };
    },
  },

  'AWS::CloudFront::Distribution': {
    phase: 'before',
    create: async (c) => {
      const p = c.properties();
      const { value, left } = withoutPending(p.DistributionConfig);
      // An origin whose domain is a resource of the stack (the site bucket) gets it after the stack.
      for (const origin of value.Origins ?? [])
        origin.DomainName ??= `not-yet-made-${origin.Id}.s3.amazonaws.com`; // moto insists on an S3-looking name
      const config = distributionConfigForApi(
        value,
        `${c.stackName}-${c.logicalId}-${c.demo.runId}`,
      );
      const created = await c.demo.aws.cloudfront.send(
        new CreateDistributionWithTagsCommand({
          DistributionConfigWithTags: {
            DistributionConfig: config,
            Tags: {
              Items: (p.Tags ?? []).map((/** @type {any} */ tag) => ({
                Key: tag.Key,
                Value: tag.Value,
              })),
            },
          },
        }),
      );
      const distribution = created.Distribution;
      c.demo.distributionConfigs.set(distribution?.Id, config);
      return {
        ref: distribution?.Id,
        attributes: {
          Id: distribution?.Id,
          DomainName: distribution?.DomainName,
          Arn: distribution?.ARN,
        },
        created: true,
        line:
          `${name(c)}: ${c.because}; created directly before the stack (cloudfront CreateDistributionWithTags ${distribution?.Id}, the outputs name it)` +
          (left.length > 0
            ? `, its ${left.map((entry) => entry.split(' ')[0]).join(', ')} set after the stack`
            : ''),
      };
    },
    complete: async (c) => {
      const { value, left } = withoutPending(c.properties().DistributionConfig);
      if (left.length > 0) throw new Error(`Distribution still lacks ${left.join(', ')}`);
      const id = /** @type {string} */ (c.created.ref);
      const current = await c.demo.aws.cloudfront.send(
        new GetDistributionConfigCommand({ Id: id }),
      );
      const config = distributionConfigForApi(
        value,
        /** @type {string} */ (current.DistributionConfig?.CallerReference),
      );
      await c.demo.aws.cloudfront.send(
        new UpdateDistributionCommand({
          Id: id,
          IfMatch: current.ETag,
          DistributionConfig: config,
        }),
      );
      // The local edge routes by this, not by moto's copy, which keeps neither the behaviours'
      // FunctionAssociations (cloudfront/models.py sets them to Quantity 0) nor, once updated,
      // the S3OriginConfig of an origin with an empty OriginAccessIdentity (OAC's case).
      c.demo.distributionConfigs.set(id, config);
      const origins = (value.Origins ?? []).map(
        (/** @type {any} */ origin) => `${origin.Id} → ${origin.DomainName}`,
      );
      return `${c.logicalId}: origins set once the stack had made the bucket (cloudfront UpdateDistribution: ${origins.join(', ')})`;
    },
  },

  'AWS::S3::BucketPolicy': {
    phase: 'after',
    create: async (c) => {
      const p = c.properties();
      const statements = [p.PolicyDocument.Statement].flat();
      // Two kinds of statements moto's S3 cannot scope (checked against moto 5.2):
      // - a Principal naming a service: moto applies every statement to every caller
      //   (s3/responses.py: bucket.get_permission → IAMPolicy.is_action_permitted), so a Deny
      //   meant for CloudFront alone denies the deploy role too. They go to the local edge,
      //   the one caller they are about.
      // - aws:SecureTransport false: the local AWS is plain HTTP, so moto would deny every
      //   request; on AWS the SDK always uses TLS, and so does CloudFront towards S3.
      const forCloudFront = statements.filter((statement) =>
        isServicePrincipal(statement.Principal),
      );
      const tlsOnly = statements.filter(
        (statement) => !forCloudFront.includes(statement) && refusesPlainHttp(statement),
      );
      const forMoto = statements.filter(
        (statement) => !forCloudFront.includes(statement) && !tlsOnly.includes(statement),
      );
      if (forMoto.length > 0) {
        await c.demo.aws.s3.send(
          new PutBucketPolicyCommand({
            Bucket: p.Bucket,
            Policy: JSON.stringify({ ...p.PolicyDocument, Statement: forMoto }),
          }),
        );
      }
      c.demo.edgeBucketPolicies.set(p.Bucket, forCloudFront);
      const sids = (/** @type {any[]} */ list) =>
        list.map((statement) => statement.Sid ?? '(no Sid)').join(', ');
      return {
        ref: p.Bucket,
        attributes: {},
        created: forMoto.length > 0,
        line:
          `${name(c)}: ${c.because}; ` +
          (forMoto.length > 0
            ? `created directly after the stack (s3 PutBucketPolicy on ${p.Bucket}: ${sids(forMoto)}); `
            : 'not created in moto; ') +
          (forCloudFront.length > 0
            ? `${sids(forCloudFront)} name the cloudfront.amazonaws.com principal, which moto's S3 ignores (it applies a statement to every caller: s3/responses.py, IAMPolicy.is_action_permitted), so the local edge applies them to its own reads instead`
            : '') +
          (tlsOnly.length > 0
            ? `; ${sids(tlsOnly)} (deny without TLS) left out: the local AWS is plain HTTP, so moto would refuse every request, where on AWS every caller uses TLS`
            : ''),
      };
    },
  },

  'AWS::EC2::SecurityGroupEgress': {
    phase: 'after',
    create: async (c) => {
      const p = c.properties();
      const permission = {
        IpProtocol: String(p.IpProtocol),
        FromPort: Number(p.FromPort),
        ToPort: Number(p.ToPort),
        ...(p.DestinationSecurityGroupId
          ? {
              UserIdGroupPairs: [
                { GroupId: p.DestinationSecurityGroupId, Description: p.Description },
              ],
            }
          : {}),
        ...(p.CidrIp ? { IpRanges: [{ CidrIp: p.CidrIp, Description: p.Description }] } : {}),
      };
      await c.demo.aws.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: p.GroupId,
          IpPermissions: [permission],
        }),
      );
      return {
        ref: `${p.GroupId}-egress`,
        attributes: {},
        created: true,
        line: `${name(c)}: ${c.because}; created directly after the stack (ec2 AuthorizeSecurityGroupEgress on ${p.GroupId}, ${p.IpProtocol} ${p.FromPort}-${p.ToPort})`,
      };
    },
  },

  'AWS::ApplicationAutoScaling::ScalableTarget': {
    phase: 'after',
    create: async (c) => {
      const p = c.properties();
      await c.demo.aws.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: p.ServiceNamespace,
          ScalableDimension: p.ScalableDimension,
          ResourceId: p.ResourceId,
          MinCapacity: Number(p.MinCapacity),
          MaxCapacity: Number(p.MaxCapacity),
        }),
      );
      return {
        // CloudFormation's Ref of a scalable target: resource id|dimension|namespace.
        ref: `${p.ResourceId}|${p.ScalableDimension}|${p.ServiceNamespace}`,
        attributes: {},
        created: true,
        line: `${name(c)}: ${c.because}; created directly after the stack (application-autoscaling RegisterScalableTarget ${p.ResourceId}, ${p.MinCapacity}-${p.MaxCapacity})`,
      };
    },
  },

  'AWS::ApplicationAutoScaling::ScalingPolicy': {
    phase: 'after',
    create: async (c) => {
      const p = c.properties();
      const [resourceId, dimension, namespace] = String(p.ScalingTargetId).split('|');
      const created = await c.demo.aws.autoscaling.send(
        new PutScalingPolicyCommand({
          PolicyName: p.PolicyName,
          PolicyType: p.PolicyType,
          ResourceId: resourceId,
          ScalableDimension: dimension,
          ServiceNamespace: namespace,
          TargetTrackingScalingPolicyConfiguration: apiValues(
            p.TargetTrackingScalingPolicyConfiguration ?? {},
            ['TargetValue', 'ScaleOutCooldown', 'ScaleInCooldown'],
          ),
        }),
      );
      return {
        ref: created.PolicyARN,
        attributes: { Arn: created.PolicyARN },
        created: true,
        line: `${name(c)}: ${c.because}; created directly after the stack (application-autoscaling PutScalingPolicy ${p.PolicyName})`,
      };
    },
  },
};

/**
 * Resources moto's CloudFormation creates but without some of their properties: the demo sets
 * those through the service's API after the stack.
 * @type {Record<string, (c: { logicalId: string, file: string, physicalId: string, properties: any, demo: any }) => Promise<string | undefined>>}
 */
export const COMPLETIONS = {
  'AWS::EC2::VPC': async ({ logicalId, file, physicalId, properties, demo }) => {
    const set = [];
    for (const [property, attribute] of /** @type {const} */ ([
      ['EnableDnsSupport', 'EnableDnsSupport'],
      ['EnableDnsHostnames', 'EnableDnsHostnames'],
    ])) {
      if (properties[property] === undefined) continue;
      const value = properties[property] === true || properties[property] === 'true';
      await demo.aws.ec2.send(
        new ModifyVpcAttributeCommand({ VpcId: physicalId, [attribute]: { Value: value } }),
      );
      set.push(`${property} ${value}`);
    }
    if (set.length === 0) return undefined;
    return (
      `AWS::EC2::VPC ${logicalId} (${file}): moto's CloudFormation drops EnableDnsSupport and EnableDnsHostnames (ec2 VPC.create_from_cloudformation_json), ` +
      `and without DNS host names moto's RunTask fails on the task's network interface (no private_dns_name: AttributeError, HTTP 500); set after the stack (ec2 ModifyVpcAttribute: ${set.join(', ')})`
    );
  },
};
