/**
 * The task role check. IAM answers shaped as the API reference documents them:
 * SimulatePrincipalPolicy (EvaluationResults[].EvalActionName / EvalDecision allowed |
 * explicitDeny | implicitDeny, https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html),
 * GetRolePolicy and GetPolicyVersion (URL-encoded policy documents,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html).
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHANNEL_ACTIONS,
  checkTaskRole,
  decodePolicy,
  evaluatePolicies,
  roleNameOf,
  wildcardMatch,
} from '../src/task-role.js';

const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1' });
const ROLE_ARN = 'arn:aws:iam::123456789012:role/prod-app-TaskRole-1A2B3C4D5E6F';

/** app.yaml's TaskRole policy, as GetRolePolicy returns it: URL-encoded JSON. */
const APP_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadDatabaseSecret',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1',
    },
    { Sid: 'EcsExecChannels', Effect: 'Allow', Action: [...CHANNEL_ACTIONS], Resource: '*' },
  ],
};

function denied(operation: string): IAMServiceException {
  return new IAMServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:sts::123456789012:assumed-role/Dev/alice is not authorized to perform: iam:${operation} on resource: ${ROLE_ARN}`,
  });
}

beforeEach(() => {
  iam.reset();
});

describe('evaluatePolicies', () => {
  it('allows the four actions through app.yaml-style statements, ssmmessages:* or *', () => {
    for (const document of [
      APP_POLICY,
      { Statement: { Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' } },
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: ['*'] }] },
      {
        Statement: [
          { Effect: 'Allow', Action: 'SSMMessages:Open*Channel', Resource: '*' },
          { Effect: 'Allow', Action: 'ssmmessages:Create*', Resource: '*' },
        ],
      },
    ]) {
      expect(Object.values(evaluatePolicies([document]).decisions)).toEqual([
        'allowed',
        'allowed',
        'allowed',
        'allowed',
      ]);
    }
  });

  it('lets an explicit Deny win over an Allow in another policy', () => {
    const evaluation = evaluatePolicies([
      APP_POLICY,
      { Statement: [{ Effect: 'Deny', Action: 'ssmmessages:OpenDataChannel', Resource: '*' }] },
    ]);
    expect(evaluation.decisions['ssmmessages:OpenDataChannel']).toBe('denied');
    expect(evaluation.decisions['ssmmessages:OpenControlChannel']).toBe('allowed');
  });

  it('does not count an Allow scoped to a resource (the channel actions have none) or a missing action', () => {
    const evaluation = evaluatePolicies([
      {
        Statement: [
          { Effect: 'Allow', Action: 'ssmmessages:*', Resource: 'arn:aws:ecs:*:*:task/*' },
        ],
      },
      {
        Statement: [
          { Effect: 'Allow', Action: ['ssmmessages:CreateControlChannel'], Resource: '*' },
        ],
      },
    ]);
    expect(evaluation.decisions).toEqual({
      'ssmmessages:CreateControlChannel': 'allowed',
      'ssmmessages:CreateDataChannel': 'not-allowed',
      'ssmmessages:OpenControlChannel': 'not-allowed',
      'ssmmessages:OpenDataChannel': 'not-allowed',
    });
  });

  it('reads NotAction and reports Allows that hang on a condition', () => {
    const evaluation = evaluatePolicies([
      {
        Statement: [
          {
            Effect: 'Allow',
            NotAction: 'iam:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'true' } },
          },
        ],
      },
    ]);
    expect(Object.values(evaluation.decisions).every((decision) => decision === 'allowed')).toBe(
      true,
    );
    expect(evaluation.conditional).toHaveLength(4);
  });
});

describe('helpers', () => {
  it('matches IAM action wildcards case-insensitively and nothing more', () => {
    expect(wildcardMatch('ssmmessages:*', 'ssmmessages:OpenDataChannel')).toBe(true);
    expect(wildcardMatch('ssmmessages:Open?ataChannel', 'ssmmessages:OpenDataChannel')).toBe(true);
    expect(wildcardMatch('ssm:*', 'ssmmessages:OpenDataChannel')).toBe(false);
    expect(wildcardMatch('ssmmessages.*', 'ssmmessagesXOpen')).toBe(false);
  });

  it('names the role from its ARN, with or without a path, and decodes policy text', () => {
    expect(roleNameOf(ROLE_ARN)).toBe('prod-app-TaskRole-1A2B3C4D5E6F');
    expect(roleNameOf('arn:aws:iam::1:role/service/ecs/tunnel')).toBe('tunnel');
    expect(decodePolicy(encodeURIComponent(JSON.stringify(APP_POLICY)))).toEqual(APP_POLICY);
    expect(decodePolicy(JSON.stringify(APP_POLICY))).toEqual(APP_POLICY);
  });
});

describe('checkTaskRole', () => {
  it('passes when the policy simulator allows all four actions', async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: CHANNEL_ACTIONS.map((action) => ({
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: 'allowed',
      })),
      IsTruncated: false,
    });
    const result = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('IAM policy simulator');
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input).toEqual({
      PolicySourceArn: ROLE_ARN,
      ActionNames: [...CHANNEL_ACTIONS],
      ResourceArns: ['*'],
    });
  });

  it('fails naming what the simulator denies, with the fix', async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: CHANNEL_ACTIONS.map((action, index) => ({
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: index === 3 ? 'explicitDeny' : index === 2 ? 'implicitDeny' : 'allowed',
      })),
    });
    const result = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(result.status).toBe('failed');
    expect(result.detail).toContain('does not allow ssmmessages:OpenControlChannel');
    expect(result.detail).toContain('denies ssmmessages:OpenDataChannel');
    expect(result.fix).toContain('EcsExecChannels');
  });

  it('reads the role policies itself when the simulator is denied to the person', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('SimulatePrincipalPolicy'));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['api'], IsTruncated: false });
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'prod-app-TaskRole-1A2B3C4D5E6F',
      PolicyName: 'api',
      PolicyDocument: encodeURIComponent(JSON.stringify(APP_POLICY)),
    });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    const result = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('its policies');
  });

  it('reads attached managed policies at their default version', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('SimulatePrincipalPolicy'));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyName: 'exec', PolicyArn: 'arn:aws:iam::123456789012:policy/exec' },
      ],
    });
    iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v3' } });
    iam
      .on(GetPolicyVersionCommand, {
        PolicyArn: 'arn:aws:iam::123456789012:policy/exec',
        VersionId: 'v3',
      })
      .resolves({
        PolicyVersion: {
          VersionId: 'v3',
          IsDefaultVersion: true,
          Document: encodeURIComponent(
            JSON.stringify({
              Statement: [{ Effect: 'Allow', Action: 'ssmmessages:*', Resource: '*' }],
            }),
          ),
        },
      });
    expect((await checkTaskRole({ iam: client, roleArn: ROLE_ARN })).status).toBe('ok');
  });

  it('fails when the policies lack the channel actions', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('SimulatePrincipalPolicy'));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['api'] });
    iam.on(GetRolePolicyCommand).resolves({
      PolicyDocument: encodeURIComponent(JSON.stringify({ Statement: [APP_POLICY.Statement[0]] })),
    });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    const result = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(result.status).toBe('failed');
    expect(result.detail).toContain('does not allow ssmmessages:CreateControlChannel');
  });

  it('is unknown, not failed, when the person may read neither', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('SimulatePrincipalPolicy'));
    iam.on(ListRolePoliciesCommand).rejects(denied('ListRolePolicies'));
    const result = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(result.status).toBe('unknown');
    expect(result.detail).toContain('not checked');
  });

  it('fails when the revision has no task role or the role is gone', async () => {
    expect((await checkTaskRole({ iam: client, roleArn: undefined })).status).toBe('failed');
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied('SimulatePrincipalPolicy'));
    iam.on(ListRolePoliciesCommand).rejects(
      new NoSuchEntityException({
        $metadata: {},
        message: 'The role with name x cannot be found.',
      }),
    );
    const gone = await checkTaskRole({ iam: client, roleArn: ROLE_ARN });
    expect(gone.status).toBe('failed');
    expect(gone.detail).toContain('does not exist');

    iam.reset();
    iam.on(SimulatePrincipalPolicyCommand).rejects(
      new NoSuchEntityException({
        $metadata: {},
        message: 'The role with name x cannot be found.',
      }),
    );
    expect((await checkTaskRole({ iam: client, roleArn: ROLE_ARN })).detail).toContain(
      'does not exist',
    );
  });
});
