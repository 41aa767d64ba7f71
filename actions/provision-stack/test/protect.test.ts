import { describe, expect, it } from '@jest/globals';
import type { Change } from '@aws-sdk/client-cloudformation';
import { DEFAULT_PROTECT } from '../src/inputs.js';
import { describeRisks, protectionRisks, undeclaredLogicalIds } from '../src/protect.js';

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
