/**
 * The fast no-op decision, both sides of every condition. Stack shapes from DescribeStacks (Stack:
 * StackStatus, Parameters {ParameterKey, ParameterValue}, Tags, Capabilities, RoleARN,
 * NotificationARNs — https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html)
 * and GetTemplate (TemplateBody; TemplateStage Original — "If the template doesn't include
 * transforms, Original and Processed return the same template",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html).
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import {
  bodyBlocker,
  checkFastNoOp,
  type FastNoOpInputs,
  stackBlocker,
  templateBlocker,
} from '../src/no-op.js';
import type { Template, TemplateParameter } from '../src/template.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f2e3d';
const BODY = [
  'Parameters:',
  '  Env: {Type: String}',
  '  Secret: {Type: String, NoEcho: true}',
  'Resources:',
  '  Setting:',
  '    Type: AWS::SSM::Parameter',
  "    Properties: {Type: String, Value: '{{resolve:ssm:/app/base}}'}",
  '',
].join('\n');

function template(fields: Partial<Template> = {}): Template {
  return {
    body: BODY,
    bytes: BODY.length,
    sha256: '',
    parameters: [
      { name: 'Env', type: 'String', hasDefault: false, noEcho: false },
      { name: 'Secret', type: 'String', hasDefault: false, noEcho: true },
    ],
    resources: { Setting: 'AWS::SSM::Parameter' },
    namedIamResources: [],
    transforms: [],
    forEachLoops: [],
    needsBucket: false,
    ...fields,
  };
}

const inputs = (fields: Partial<FastNoOpInputs> = {}): FastNoOpInputs => ({
  fastNoOp: true,
  parameters: { Env: 'prod' },
  tags: {},
  capabilities: ['CAPABILITY_NAMED_IAM'],
  roleArn: undefined,
  ...fields,
});

function stack(fields: Partial<Stack> = {}): Stack {
  return {
    StackName: 'app',
    StackId: STACK_ID,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    // AWS masks NoEcho values in DescribeStacks.
    Parameters: [
      { ParameterKey: 'Env', ParameterValue: 'prod' },
      { ParameterKey: 'Secret', ParameterValue: '****' },
    ],
    Tags: [{ Key: 'team', Value: 'web' }],
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    NotificationARNs: [],
    ...fields,
  };
}

/** The whole decision, as the action makes it, from the facts. */
function verdict(
  options: { template?: Template; inputs?: FastNoOpInputs; stack?: Stack; body?: string } = {},
) {
  const facts = {
    template: options.template ?? template(),
    inputs: options.inputs ?? inputs(),
    stack: 'stack' in options ? options.stack : stack(),
  };
  return (
    templateBlocker(facts.template, facts.inputs) ??
    stackBlocker(facts) ??
    bodyBlocker(facts.template, 'body' in options ? options.body : BODY)
  );
}

describe('fast no-op decision', () => {
  it('takes the fast path when everything matches (dynamic references and kept NoEcho included)', () => {
    expect(verdict()).toBeUndefined();
  });

  it('fast-no-op: false always makes a change set', () => {
    expect(verdict({ inputs: inputs({ fastNoOp: false }) })).toBe('fast-no-op is false');
  });

  it('needs a stack in a settled, working state', () => {
    expect(verdict({ stack: undefined })).toBe('there is no stack yet');
    for (const status of ['CREATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE'])
      expect(verdict({ stack: stack({ StackStatus: status as Stack['StackStatus'] }) })).toBe(
        undefined,
      );
    for (const status of [
      'UPDATE_FAILED',
      'CREATE_FAILED',
      'REVIEW_IN_PROGRESS',
      'UPDATE_IN_PROGRESS',
    ])
      expect(verdict({ stack: stack({ StackStatus: status as Stack['StackStatus'] }) })).toBe(
        `the stack is in ${status}`,
      );
  });

  it('needs a template without transforms', () => {
    expect(verdict({ template: template({ transforms: ['AWS::LanguageExtensions'] }) })).toMatch(
      /has a transform \(AWS::LanguageExtensions\)/,
    );
    const inline = `${BODY}  Snippet:\n    Fn::Transform: {Name: AWS::Include}\n`;
    expect(verdict({ template: template({ body: inline }), body: inline })).toBe(
      'the template uses Fn::Transform',
    );
  });

  it('needs a template without nested stacks or modules', () => {
    const nested = template({
      resources: { Setting: 'AWS::SSM::Parameter', Network: 'AWS::CloudFormation::Stack' },
    });
    expect(verdict({ template: nested })).toMatch(
      /^Network \(AWS::CloudFormation::Stack\) has a template of its own/,
    );
    const module = template({ resources: { Vpc: 'Org::Network::Vpc::MODULE' } });
    expect(verdict({ template: module })).toMatch(/^Vpc \(Org::Network::Vpc::MODULE\)/);
  });

  it('needs no SSM parameter type, given or kept; a parameter that names an SSM key is fine', () => {
    const typed = (type: string): TemplateParameter[] => [
      { name: 'Env', type: 'String', hasDefault: false, noEcho: false },
      { name: 'Secret', type: 'String', hasDefault: false, noEcho: true },
      { name: 'Ami', type, hasDefault: true, noEcho: false },
    ];
    const withAmi = stack({
      Parameters: [...(stack().Parameters ?? []), { ParameterKey: 'Ami', ParameterValue: '/ami' }],
    });
    expect(
      verdict({
        template: template({
          parameters: typed('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>'),
        }),
        stack: withAmi,
      }),
    ).toMatch(/^parameter Ami is of type AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>/);
    expect(
      verdict({
        template: template({ parameters: typed('AWS::SSM::Parameter::Name') }),
        stack: withAmi,
      }),
    ).toBeUndefined();
  });

  it('needs no NoEcho parameter given a value (kept is fine)', () => {
    expect(verdict({ inputs: inputs({ parameters: { Env: 'prod', Secret: 'hunter2' } }) })).toMatch(
      /^NoEcho parameter Secret is given a value/,
    );
    expect(verdict({ inputs: inputs({ parameters: { Env: 'prod' } }) })).toBeUndefined();
  });

  it('needs every given parameter equal to its deployed value, and the same set of parameters', () => {
    expect(verdict({ inputs: inputs({ parameters: { Env: 'staging' } }) })).toBe(
      'parameter Env differs from its deployed value',
    );
    // Not given and deployed: kept (UsePreviousValue), as the change set would.
    expect(verdict({ inputs: inputs({ parameters: {} }) })).toBeUndefined();
    expect(
      verdict({ stack: stack({ Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }] }) }),
    ).toBe('parameter Secret is new (the stack has no value for it)');
    expect(
      verdict({
        stack: stack({
          Parameters: [...(stack().Parameters ?? []), { ParameterKey: 'Old', ParameterValue: 'x' }],
        }),
      }),
    ).toBe("the stack's parameter Old is no longer declared");
  });

  it('compares tags only when some are given, exactly', () => {
    expect(verdict({ inputs: inputs({ tags: {} }) })).toBeUndefined();
    expect(verdict({ inputs: inputs({ tags: { team: 'web' } }) })).toBeUndefined();
    expect(verdict({ inputs: inputs({ tags: { team: 'api' } }) })).toBe(
      "the tags differ from the stack's",
    );
    expect(
      verdict({
        inputs: inputs({ tags: { team: 'web' } }),
        stack: stack({
          Tags: [
            { Key: 'team', Value: 'web' },
            { Key: 'cost', Value: '1' },
          ],
        }),
      }),
    ).toBe("the tags differ from the stack's");
  });

  it('needs the same capabilities, in any order', () => {
    expect(
      verdict({
        inputs: inputs({ capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_IAM'] }),
        stack: stack({ Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }),
      }),
    ).toBeUndefined();
    expect(verdict({ stack: stack({ Capabilities: [] }) })).toBe(
      'the capabilities differ (the stack has none)',
    );
  });

  it('compares role-arn only when given', () => {
    const role = 'arn:aws:iam::123456789012:role/cfn-deploy';
    expect(verdict({ stack: stack({ RoleARN: role }) })).toBeUndefined();
    expect(
      verdict({ inputs: inputs({ roleArn: role }), stack: stack({ RoleARN: role }) }),
    ).toBeUndefined();
    expect(verdict({ inputs: inputs({ roleArn: role }) })).toBe(
      "role-arn differs from the stack's role",
    );
  });

  it('keeps notification ARNs out of it: the action sends none, so the stack keeps its own', () => {
    expect(
      verdict({
        stack: stack({ NotificationARNs: ['arn:aws:sns:us-east-1:123456789012:deploys'] }),
      }),
    ).toBeUndefined();
  });

  it('needs the deployed template to be the same text', () => {
    expect(verdict({ body: `${BODY}# changed\n` })).toBe(
      'the template differs from the deployed one',
    );
    expect(verdict({ body: undefined })).toBe('the deployed template could not be read');
  });
});

describe('checkFastNoOp', () => {
  const cfn = mockClient(CloudFormationClient);
  beforeEach(() => {
    cfn.reset();
  });
  const client = () => new CloudFormationClient({ region: 'us-east-1' });
  const runInputs = { ...inputs(), stackName: 'app' };

  it('reads the Original template of the stack only once all else matches', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
    cfn
      .on(GetTemplateCommand)
      .resolves({ TemplateBody: BODY, StagesAvailable: ['Original', 'Processed'] });
    const result = await checkFastNoOp({
      client: client(),
      template: template(),
      inputs: runInputs,
    });
    expect(result).toEqual({ fast: true, stack: stack() });
    expect(cfn.commandCalls(GetTemplateCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      TemplateStage: 'Original',
    });
  });

  it('makes no call when the template rules it out, and no GetTemplate when the stack differs', async () => {
    const ruledOut = await checkFastNoOp({
      client: client(),
      template: template({ transforms: ['AWS::Serverless-2016-10-31'] }),
      inputs: runInputs,
    });
    expect(ruledOut).toMatchObject({ fast: false });
    expect(cfn.calls()).toHaveLength(0);

    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ StackStatus: 'UPDATE_FAILED' })] });
    const differs = await checkFastNoOp({
      client: client(),
      template: template(),
      inputs: runInputs,
    });
    expect(differs).toMatchObject({
      fast: false,
      reason: 'the stack is in UPDATE_FAILED',
      described: { stack: expect.objectContaining({ StackStatus: 'UPDATE_FAILED' }) },
    });
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  it('falls back to the change set when GetTemplate is refused', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
    cfn.on(GetTemplateCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized to perform: cloudformation:GetTemplate',
      }),
    );
    expect(
      await checkFastNoOp({ client: client(), template: template(), inputs: runInputs }),
    ).toMatchObject({
      fast: false,
      reason: 'GetTemplate failed (AccessDenied)',
    });
  });
});
