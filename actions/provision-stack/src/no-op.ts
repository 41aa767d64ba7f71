/**
 * A no-op release without a change set. Creating a change set only to learn that nothing changed
 * costs 5-20 s per stack on AWS; when the deployed stack provably already has what this run would
 * send, "No changes" follows from read calls alone (DescribeStacks, GetTemplate). Provably: the
 * same template body byte for byte (GetTemplate, Original stage), the same parameters (given ones
 * equal to the deployed values, the others kept), tags, capabilities and role, and nothing that
 * CloudFormation resolves anew on every update behind an unchanged template:
 *
 * - a transform (Transform, Fn::Transform): the macro's output may differ from last time;
 * - a nested stack (AWS::CloudFormation::Stack) or a module: its own template lives elsewhere, and
 *   CloudFormation treats a nested template as possibly changed on every update;
 * - an SSM parameter type (AWS::SSM::Parameter::Value<…>): "AWS CloudFormation always fetches the
 *   latest values from Parameter Store when it updates stacks" (User Guide, parameters section);
 * - a NoEcho parameter given a value: DescribeStacks masks it, so equality cannot be known.
 *
 * Dynamic references ({{resolve:ssm:…}}, {{resolve:secretsmanager:…}}) do not count: a change set
 * does not re-resolve them either ("During stack updates, CloudFormation doesn't retrieve the value
 * of the dynamic reference unless a change is made to the dynamic reference itself", AWS Knowledge
 * Center, cloudformation-stack-update-secrets; "When comparing changes using change sets,
 * CloudFormation only compares the literal dynamic reference string", User Guide,
 * dynamic-references-ssm-secure-strings), so the change set would say "No changes" too. Anything
 * else goes through the change set, as without this shortcut.
 */
import {
  type CloudFormationClient,
  GetTemplateCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { awsErrorCode, errorMessage, TimeoutError } from '../../common/src/errors.js';
import type { ProvisionInputs } from './inputs.js';
import { describeStack } from './stack.js';
import type { Template } from './template.js';

/** Settled states whose deployed template is the stack's working one. */
const SETTLED = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
]);

const SSM_VALUE_TYPE = /^AWS::SSM::Parameter::Value</;
const NESTED_TYPES = /^(AWS::CloudFormation::Stack|AWS::Serverless::Application)$|::MODULE$/;
const INLINE_TRANSFORM = /Fn::Transform|!Transform\b/;

export type FastNoOpInputs = Pick<
  ProvisionInputs,
  'fastNoOp' | 'parameters' | 'tags' | 'capabilities' | 'roleArn'
>;

/** Why the template alone rules the fast path out (no AWS call needed), or undefined. */
export function templateBlocker(template: Template, inputs: FastNoOpInputs): string | undefined {
  if (!inputs.fastNoOp) return 'fast-no-op is false';
  if (template.transforms.length > 0)
    return `the template has a transform (${template.transforms.join(', ')}), whose output may change`;
  if (INLINE_TRANSFORM.test(template.body)) return 'the template uses Fn::Transform';
  const nested = Object.entries(template.resources).find(([, type]) => NESTED_TYPES.test(type));
  if (nested)
    return `${nested[0]} (${nested[1]}) has a template of its own, which may have changed`;
  const ssm = template.parameters.find((parameter) => SSM_VALUE_TYPE.test(parameter.type));
  if (ssm)
    return `parameter ${ssm.name} is of type ${ssm.type}, resolved anew from Parameter Store on every update`;
  const secret = template.parameters.find(
    (parameter) => parameter.noEcho && inputs.parameters[parameter.name] !== undefined,
  );
  if (secret)
    return `NoEcho parameter ${secret.name} is given a value, which DescribeStacks masks (equality cannot be known)`;
  return undefined;
}

/** Why the deployed stack (DescribeStacks) differs from what this run would send, or undefined. */
export function stackBlocker(options: {
  template: Template;
  inputs: FastNoOpInputs;
  stack: Stack | undefined;
}): string | undefined {
  const { template, inputs, stack } = options;
  if (!stack) return 'there is no stack yet';
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!SETTLED.has(status)) return `the stack is in ${status}`;

  const deployed = new Map(
    (stack.Parameters ?? []).map((parameter) => [
      parameter.ParameterKey ?? '',
      parameter.ParameterValue,
    ]),
  );
  const declared = new Set(template.parameters.map((parameter) => parameter.name));
  for (const parameter of template.parameters) {
    const given = inputs.parameters[parameter.name];
    if (!deployed.has(parameter.name))
      return `parameter ${parameter.name} is new (the stack has no value for it)`;
    if (given !== undefined && deployed.get(parameter.name) !== given)
      return `parameter ${parameter.name} differs from its deployed value`;
  }
  const dropped = [...deployed.keys()].find((name) => !declared.has(name));
  if (dropped !== undefined) return `the stack's parameter ${dropped} is no longer declared`;

  // Empty tags leave the stack's tags alone (CreateChangeSet is sent none), so only given tags count.
  if (Object.keys(inputs.tags).length > 0) {
    const stackTags = new Map((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    const same =
      stackTags.size === Object.keys(inputs.tags).length &&
      Object.entries(inputs.tags).every(([key, value]) => stackTags.get(key) === value);
    if (!same) return "the tags differ from the stack's";
  }
  const wanted = [...inputs.capabilities].sort().join(',');
  const has = [...(stack.Capabilities ?? [])].sort().join(',');
  if (wanted !== has) return `the capabilities differ (the stack has ${has || 'none'})`;
  // No role-arn: CloudFormation keeps the stack's role, so only a given one can differ.
  if (inputs.roleArn !== undefined && inputs.roleArn !== stack.RoleARN)
    return "role-arn differs from the stack's role";
  return undefined;
}

/** Why the deployed template body differs, or undefined when it is the same text. */
export function bodyBlocker(
  template: Template,
  deployedBody: string | undefined,
): string | undefined {
  if (deployedBody === undefined) return 'the deployed template could not be read';
  // Byte for byte: a reformatted but equal template only costs the change set.
  return deployedBody === template.body ? undefined : 'the template differs from the deployed one';
}

export type FastNoOp =
  | { fast: true; stack: Stack }
  | {
      fast: false;
      reason: string;
      /** Set when DescribeStacks was called: what it answered (undefined: no stack). */
      described?: { stack: Stack | undefined };
    };

/**
 * Decides with as few calls as it can: none when the template rules it out, DescribeStacks next
 * (whose answer the change-set path reuses), GetTemplate only when all else matches.
 */
export async function checkFastNoOp(options: {
  client: CloudFormationClient;
  template: Template;
  inputs: FastNoOpInputs & Pick<ProvisionInputs, 'stackName'>;
}): Promise<FastNoOp> {
  const { client, template, inputs } = options;
  const ruledOut = templateBlocker(template, inputs);
  if (ruledOut) return { fast: false, reason: ruledOut };
  const stack = await describeStack(client, inputs.stackName);
  const described = { stack };
  const differs = stackBlocker({ template, inputs, stack });
  if (differs || !stack)
    return { fast: false, reason: differs ?? 'there is no stack yet', described };
  let body: string | undefined;
  try {
    const response = await client.send(
      new GetTemplateCommand({ StackName: stack.StackId, TemplateStage: 'Original' }),
    );
    body = response.TemplateBody;
  } catch (error) {
    if (error instanceof TimeoutError) throw error;
    // A role without cloudformation:GetTemplate only loses the shortcut.
    const code = awsErrorCode(error) ?? errorMessage(error).split('\n')[0];
    return { fast: false, reason: `GetTemplate failed (${code})`, described };
  }
  const changed = bodyBlocker(template, body);
  if (changed) return { fast: false, reason: changed, described };
  return { fast: true, stack };
}
