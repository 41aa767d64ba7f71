/**
 * Every input of action.yml, named once: the reader (inputs.ts) and the metadata tests
 * (tests/static/action-defaults.test.ts) use these constants, so a renamed or added input cannot
 * drift between the code and action.yml.
 */
export const INPUT = {
  cluster: 'cluster',
  service: 'service',
  image: 'image',
  containerName: 'container-name',
  environment: 'environment',
  taskDefinition: 'task-definition',
  taskDefinitionArn: 'task-definition-arn',
  registerOnly: 'register-only',
  pinDigest: 'pin-digest',
  wait: 'wait',
  timeoutMinutes: 'timeout-minutes',
  forceNewDeployment: 'force-new-deployment',
  release: 'release',
  awsRegion: 'aws-region',
} as const;

export type InputName = (typeof INPUT)[keyof typeof INPUT];
