/**
 * The action's inputs as one typed object. Everything that can be checked without AWS is checked
 * here, in the order a user would fix it: the template first, then where the stack goes.
 */
import { InputError } from '../../common/src/errors.js';
import { Inputs } from '../../common/src/inputs.js';
import { INPUT } from './input-names.js';

export const CAPABILITIES = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const DEFAULT_PROTECT = [
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::S3::Bucket',
  'AWS::ECR::Repository',
];

export interface ProvisionInputs {
  /** Absolute path of the template file (it exists: the reader checked). */
  templatePath: string;
  /** The path as the user wrote it, for messages. */
  templateInput: string;
  templateBucket?: string;
  stackName: string;
  /** Parameter values as written (given ones only). */
  parameters: Record<string, string>;
  /** Parameters a parameter file marks UsePreviousValue: true, kept at their deployed value. */
  keptParameters: string[];
  capabilities: Capability[];
  tags: Record<string, string>;
  /** undefined leaves the stack's current setting alone. */
  terminationProtection?: boolean;
  disableRollback: boolean;
  roleArn?: string;
  mode: 'deploy' | 'preview';
  protect: string[];
  allowReplacement: string[];
  onRollbackComplete: 'fail' | 'recreate';
  /** Absolute path of the stack policy file (it exists: the reader checked); undefined leaves the policy alone. */
  stackPolicyPath?: string;
  /** The stack-policy input as the user wrote it, for messages. */
  stackPolicyInput: string;
  /** Report "No changes" from read calls alone when the deployed stack provably matches (no-op.ts). */
  fastNoOp: boolean;
  timeoutMs: number;
  region?: string;
}

/** CloudFormation's rule for stack names (CreateStack API reference). */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export function readInputs(inputs: Inputs = new Inputs()): ProvisionInputs {
  const templatePath = inputs.path(INPUT.template, { required: true, kind: 'file' });
  const templateBucket = inputs.matching(
    INPUT.templateBucket,
    BUCKET_NAME,
    'an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), without s3://',
  );
  const stackName = inputs.matching(
    INPUT.stackName,
    STACK_NAME,
    'a stack name: a letter, then letters, digits and hyphens, at most 128 characters',
    { required: true },
  ) as string;
  const parameters = inputs.parameters(INPUT.parameters);
  const capabilities = inputs.list(INPUT.capabilities, ['CAPABILITY_NAMED_IAM']).map((item) => {
    const found = CAPABILITIES.find((known) => known === item.toUpperCase());
    if (!found)
      throw new InputError(INPUT.capabilities, item, `a list of ${CAPABILITIES.join(', ')}`);
    return found;
  });
  const protection = inputs.raw(INPUT.terminationProtection);
  return {
    templatePath,
    templateInput: inputs.raw(INPUT.template),
    templateBucket,
    stackName,
    parameters: parameters.values,
    keptParameters: parameters.kept,
    capabilities: [...new Set(capabilities)],
    tags: inputs.map(INPUT.tags),
    terminationProtection:
      protection === '' ? undefined : inputs.boolean(INPUT.terminationProtection, false),
    disableRollback: inputs.boolean(INPUT.disableRollback, false),
    roleArn: inputs.matching(
      INPUT.roleArn,
      ROLE_ARN,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/cfn-deploy',
    ),
    mode: inputs.choice(INPUT.mode, ['deploy', 'preview'] as const, 'deploy'),
    // `none` is the explicit way to protect nothing (an empty input means the default list).
    protect: inputs
      .list(INPUT.protect, DEFAULT_PROTECT)
      .filter((item) => item.toLowerCase() !== 'none'),
    allowReplacement: inputs.list(INPUT.allowReplacement),
    onRollbackComplete: inputs.choice(
      INPUT.onRollbackComplete,
      ['fail', 'recreate'] as const,
      'fail',
    ),
    stackPolicyPath: inputs.path(INPUT.stackPolicy, { kind: 'file' }),
    stackPolicyInput: inputs.raw(INPUT.stackPolicy),
    fastNoOp: inputs.boolean(INPUT.fastNoOp, true),
    timeoutMs: inputs.duration(INPUT.timeoutMinutes, {
      default: 60 * 60_000,
      bareUnit: 'minutes',
      max: 24 * 60 * 60_000,
    }),
    region: inputs.string(INPUT.awsRegion),
  };
}
