import { describe, expect, it } from '@jest/globals';
import type { Change } from '@aws-sdk/client-cloudformation';
import { DEFAULT_PROTECT } from '../src/inputs.js';
import {
  describeRisks,
  protectionRisks,
  undeclaredLogicalIds,
  unmatchedTypes,
} from '../src/protect.js';

// Shapes as in the DescribeChangeSet API reference (Change / ResourceChange).
function change(action: string, logicalId: string, type: string, replacement?: string): Change {
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: action as 'Modify',
      LogicalResourceId: logicalId,
      ResourceType: type,
      ...(replacement ? { Replacement: replacement as 'True' } : {}),
      Scope: ['Properties'],
    },
  };
}

describe('protectionRisks', () => {
  const changes = [
    change('Modify', 'Database', 'AWS::RDS::DBCluster', 'True'),
    change('Modify', 'Assets', 'AWS::S3::Bucket', 'Conditional'),
    change('Remove', 'Images', 'AWS::ECR::Repository'),
    change('Modify', 'Writer', 'AWS::RDS::DBInstance', 'False'),
    change('Add', 'NewBucket', 'AWS::S3::Bucket'),
    change('Modify', 'Queue', 'AWS::SQS::Queue', 'True'),
  ];

  it('flags replacement (True or Conditional) and deletion of protected types only', () => {
    expect(protectionRisks({ changes, protect: DEFAULT_PROTECT, allowReplacement: [] })).toEqual([
      {
        logicalId: 'Database',
        type: 'AWS::RDS::DBCluster',
        what: 'replace',
        protectedBy: 'AWS::RDS::DBCluster',
      },
      {
        logicalId: 'Assets',
        type: 'AWS::S3::Bucket',
        what: 'may replace',
        protectedBy: 'AWS::S3::Bucket',
      },
      {
        logicalId: 'Images',
        type: 'AWS::ECR::Repository',
        what: 'delete',
        protectedBy: 'AWS::ECR::Repository',
      },
    ]);
  });

  it('protects logical ids too, and honours allow-replacement by logical id or type', () => {
    const risks = protectionRisks({
      changes,
      protect: [...DEFAULT_PROTECT, 'Queue'],
      allowReplacement: ['Database', 'AWS::S3::Bucket'],
    });
    expect(risks.map((risk) => risk.logicalId)).toEqual(['Images', 'Queue']);
    expect(describeRisks(risks)).toBe(
      'Images (AWS::ECR::Repository) would be deleted; Queue (AWS::SQS::Queue) would be replaced',
    );
  });

  it('protects nothing with an empty list', () => {
    expect(protectionRisks({ changes, protect: [], allowReplacement: [] })).toEqual([]);
  });
});

describe('undeclaredLogicalIds', () => {
  it('lists logical ids the template does not declare, never resource types', () => {
    const resources = {
      Database: 'AWS::RDS::DBCluster',
      BootstrapTaskDefinition: 'AWS::ECS::TaskDefinition',
    };
    expect(
      undeclaredLogicalIds(
        [...DEFAULT_PROTECT, 'BootstrapTaskDefinition', 'bootstrapTaskDefinition', 'Databse'],
        resources,
      ),
    ).toEqual(['bootstrapTaskDefinition', 'Databse']);
    // Not fooled by names every object has.
    expect(undeclaredLogicalIds(['constructor', 'toString'], resources)).toEqual([
      'constructor',
      'toString',
    ]);
  });
});

describe('protect by type, without regard to case (issue 16 #3)', () => {
  const removal = [change('Remove', 'Assets', 'AWS::S3::Bucket')];

  it('matches a type written in any case, in protect and allow-replacement', () => {
    expect(
      protectionRisks({ changes: removal, protect: ['aws::s3::bucket'], allowReplacement: [] }),
    ).toEqual([
      {
        logicalId: 'Assets',
        type: 'AWS::S3::Bucket',
        what: 'delete',
        protectedBy: 'aws::s3::bucket',
      },
    ]);
    expect(
      protectionRisks({
        changes: removal,
        protect: ['AWS::S3::Bucket'],
        allowReplacement: ['aws::S3::BUCKET'],
      }),
    ).toEqual([]);
  });

  it('keeps logical ids case-sensitive, as CloudFormation does', () => {
    expect(
      protectionRisks({ changes: removal, protect: ['assets'], allowReplacement: [] }),
    ).toEqual([]);
  });
});

describe('unmatchedTypes', () => {
  it('lists entries that look like a type and match no type of the template, defaults aside', () => {
    const resources = { Assets: 'AWS::S3::Bucket', Logs: 'AWS::Logs::LogGroup' };
    expect(
      unmatchedTypes(
        [...DEFAULT_PROTECT, 'aws::s3::bucket', 'AWS::S3::Bukcet', 'aws::logs::loggroup', 'Logs'],
        resources,
      ),
    ).toEqual(['AWS::S3::Bukcet']);
  });
});
