/**
 * Every input of action.yml, named once: the reader (inputs.ts) and the metadata tests
 * (tests/static/action-defaults.test.ts) use these constants, so a renamed or added input cannot
 * drift between the code and action.yml.
 */
export const INPUT = {
  stackName: 'stack-name',
  template: 'template',
  parameters: 'parameters',
  capabilities: 'capabilities',
  tags: 'tags',
  terminationProtection: 'termination-protection',
  disableRollback: 'disable-rollback',
  roleArn: 'role-arn',
  mode: 'mode',
  protect: 'protect',
  allowReplacement: 'allow-replacement',
  onRollbackComplete: 'on-rollback-complete',
  stackPolicy: 'stack-policy',
  templateBucket: 'template-bucket',
  fastNoOp: 'fast-no-op',
  timeoutMinutes: 'timeout-minutes',
  awsRegion: 'aws-region',
} as const;

export type InputName = (typeof INPUT)[keyof typeof INPUT];
