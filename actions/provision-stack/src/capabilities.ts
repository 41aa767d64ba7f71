/**
 * Which capabilities a template needs, worked out locally so that a missing one is reported as an
 * input error before any AWS call, instead of an InsufficientCapabilities failure after it.
 */
import { InputError } from '../../common/src/errors.js';
import type { Capability } from './inputs.js';
import type { Template } from './template.js';

export interface MissingCapability {
  capability: Capability;
  /** The resources or transform that need it, in the user's words. */
  because: string;
}

export function missingCapabilities(
  template: Template,
  granted: readonly Capability[],
): MissingCapability[] {
  const missing: MissingCapability[] = [];
  const iam = Object.entries(template.resources)
    .filter(([, type]) => type.startsWith('AWS::IAM::'))
    .map(([logicalId]) => logicalId);
  // CAPABILITY_NAMED_IAM covers everything CAPABILITY_IAM does.
  if (template.namedIamResources.length > 0 && !granted.includes('CAPABILITY_NAMED_IAM')) {
    missing.push({
      capability: 'CAPABILITY_NAMED_IAM',
      because: `IAM resources with custom names: ${template.namedIamResources.join(', ')}`,
    });
  } else if (
    iam.length > 0 &&
    !granted.includes('CAPABILITY_IAM') &&
    !granted.includes('CAPABILITY_NAMED_IAM')
  ) {
    missing.push({ capability: 'CAPABILITY_IAM', because: `IAM resources: ${iam.join(', ')}` });
  }
  if (template.transforms.length > 0 && !granted.includes('CAPABILITY_AUTO_EXPAND')) {
    missing.push({
      capability: 'CAPABILITY_AUTO_EXPAND',
      because: `the transform ${template.transforms.join(', ')}`,
    });
  }
  return missing;
}

/** Throws an InputError naming each missing capability and what needs it. */
export function assertCapabilities(template: Template, granted: readonly Capability[]): void {
  const missing = missingCapabilities(template, granted);
  if (missing.length === 0) return;
  throw new InputError(
    'capabilities',
    granted.join(','),
    `a list including ${missing.map((item) => `${item.capability} (for ${item.because})`).join(' and ')}; CloudFormation would refuse the change set with InsufficientCapabilities`,
  );
}
