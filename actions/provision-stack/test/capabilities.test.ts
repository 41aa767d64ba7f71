import { describe, expect, it } from '@jest/globals';
import { missingCapabilities } from '../src/capabilities.js';
import type { Template } from '../src/template.js';

const template = (fields: Partial<Template>): Template => ({
  body: '',
  bytes: 0,
  sha256: '',
  parameters: [],
  resources: {},
  namedIamResources: [],
  transforms: [],
  forEachLoops: [],
  needsBucket: false,
  ...fields,
});

describe('missingCapabilities', () => {
  it('needs CAPABILITY_IAM for IAM resources, CAPABILITY_NAMED_IAM once they are named', () => {
    const unnamed = template({ resources: { Role: 'AWS::IAM::Role' } });
    expect(missingCapabilities(unnamed, [])).toEqual([
      { capability: 'CAPABILITY_IAM', because: 'IAM resources: Role' },
    ]);
    expect(missingCapabilities(unnamed, ['CAPABILITY_NAMED_IAM'])).toEqual([]);
    const named = template({ resources: { Role: 'AWS::IAM::Role' }, namedIamResources: ['Role'] });
    expect(missingCapabilities(named, ['CAPABILITY_IAM'])).toEqual([
      { capability: 'CAPABILITY_NAMED_IAM', because: 'IAM resources with custom names: Role' },
    ]);
  });

  it('needs CAPABILITY_AUTO_EXPAND for a transform', () => {
    const serverless = template({
      resources: { Fn: 'AWS::Serverless::Function' },
      transforms: ['AWS::Serverless-2016-10-31'],
    });
    expect(
      missingCapabilities(serverless, ['CAPABILITY_NAMED_IAM']).map((item) => item.capability),
    ).toEqual(['CAPABILITY_AUTO_EXPAND']);
    expect(missingCapabilities(serverless, ['CAPABILITY_AUTO_EXPAND'])).toEqual([]);
  });
});
