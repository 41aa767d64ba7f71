/**
 * Change sets of nested stacks (issue 10 #2). Shapes from the API reference:
 * - CreateChangeSet IncludeNestedStacks: "Creates a change set for the all nested stacks specified
 *   in the template" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html);
 * - ResourceChange.ChangeSetId: "The change set ID of the nested change set"; Action
 *   Add | Modify | Remove | Import | Dynamic ("exact action for the resource can't be determined")
 *   | SyncWithActual; Replacement True | False | Conditional
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html);
 * - DescribeChangeSet ParentChangeSetId / RootChangeSetId, NextToken paging
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html).
 * moto accepts IncludeNestedStacks and ignores it (no nested change sets), so this is unit-tested.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  type Change,
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { testContext } from '../../../test-support/action-context.js';
import { createChangeSet } from '../src/change-set.js';
import { stackProtectionRisks } from '../src/stack-changes.js';
import { changeRows } from '../src/summary.js';

const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  cfn.reset();
});
const ROOT = {
  Id: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-1-1-abc/1',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
};
const NESTED_CS =
  'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-1-1-abc-Network-1A2B/2';
const NESTED_STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app-Network-1A2B/3';
const DEEPER_CS =
  'arn:aws:cloudformation:us-east-1:123456789012:changeSet/provision-1-1-abc-Network-1A2B-Data-9Z/4';
const options = {
  client: new CloudFormationClient({ region: 'us-east-1' }),
  stackName: 'app',
  type: 'UPDATE' as const,
  name: 'provision-1-1-abc',
  template: { TemplateBody: 'Resources: {}' },
  parameters: [],
  capabilities: ['CAPABILITY_NAMED_IAM' as const],
  tags: {},
  stackIsNew: false,
  wait: testContext({ timeoutMs: 60_000 }),
  intervalMs: 1,
};

function change(fields: NonNullable<Change['ResourceChange']>): Change {
  return { Type: 'Resource', ResourceChange: { Scope: [], ...fields } };
}

describe('nested change sets', () => {
  it('asks for nested change sets and walks each, deeper ones and later pages included', async () => {
    cfn.on(CreateChangeSetCommand).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.Id }).resolves({
      ChangeSetId: ROOT.Id,
      StackId: ROOT.StackId,
      Status: 'CREATE_COMPLETE',
      IncludeNestedStacks: true,
      Changes: [
        change({
          Action: 'Modify',
          LogicalResourceId: 'Network',
          PhysicalResourceId: NESTED_STACK,
          ResourceType: 'AWS::CloudFormation::Stack',
          Replacement: 'False',
          ChangeSetId: NESTED_CS,
        }),
        change({ Action: 'Add', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' }),
      ],
    });
    cfn
      .on(DescribeChangeSetCommand, { ChangeSetName: NESTED_CS })
      // The nested change set may still be in progress a moment after the root is complete.
      .resolvesOnce({ ChangeSetId: NESTED_CS, Status: 'CREATE_IN_PROGRESS' })
      .resolvesOnce({
        ChangeSetId: NESTED_CS,
        StackId: NESTED_STACK,
        ParentChangeSetId: ROOT.Id,
        RootChangeSetId: ROOT.Id,
        Status: 'CREATE_COMPLETE',
        StatusReason: 'Only executable from the root change set.',
        Changes: [
          change({
            Action: 'Modify',
            LogicalResourceId: 'Data',
            ResourceType: 'AWS::CloudFormation::Stack',
            Replacement: 'False',
            ChangeSetId: DEEPER_CS,
          }),
        ],
        NextToken: 'page-2',
      });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: NESTED_CS, NextToken: 'page-2' }).resolves({
      ChangeSetId: NESTED_CS,
      Status: 'CREATE_COMPLETE',
      Changes: [
        change({
          Action: 'Modify',
          LogicalResourceId: 'Vpc',
          ResourceType: 'AWS::EC2::VPC',
          Replacement: 'Conditional',
        }),
      ],
    });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: DEEPER_CS }).resolves({
      ChangeSetId: DEEPER_CS,
      Status: 'CREATE_COMPLETE',
      Changes: [
        change({
          Action: 'Modify',
          LogicalResourceId: 'Db',
          ResourceType: 'AWS::RDS::DBInstance',
          Replacement: 'True',
        }),
      ],
    });

    const result = await createChangeSet(options);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.IncludeNestedStacks).toBe(
      true,
    );
    if (result.kind !== 'ready') throw new Error('expected a ready change set');
    expect(changeRows(result.changes)).toEqual([
      ['Modify', 'Network', 'AWS::CloudFormation::Stack', 'no', '-'],
      ['Modify', 'Network/Data', 'AWS::CloudFormation::Stack', 'no', '-'],
      ['Modify', 'Network/Data/Db', 'AWS::RDS::DBInstance', 'yes', '-'],
      ['Modify', 'Network/Vpc', 'AWS::EC2::VPC', 'conditional', '-'],
      ['Add', 'Topic', 'AWS::SNS::Topic', '-', '-'],
    ]);

    // A database two stacks down is guarded like one at the top.
    const risks = stackProtectionRisks({
      changes: result.changes,
      protect: ['AWS::RDS::DBInstance', 'AWS::EC2::VPC'],
      allowReplacement: [],
    });
    expect(risks).toEqual([
      {
        logicalId: 'Network/Data/Db',
        type: 'AWS::RDS::DBInstance',
        what: 'replace',
        protectedBy: 'AWS::RDS::DBInstance',
      },
      {
        logicalId: 'Network/Vpc',
        type: 'AWS::EC2::VPC',
        what: 'may replace',
        protectedBy: 'AWS::EC2::VPC',
      },
    ]);
    // Named by its path or by its own logical id, a nested resource can be allowed (or protected).
    expect(
      stackProtectionRisks({
        changes: result.changes,
        protect: ['AWS::RDS::DBInstance', 'Vpc'],
        allowReplacement: ['Network/Data/Db'],
      }).map((risk) => risk.logicalId),
    ).toEqual(['Network/Vpc']);
  });

  it('counts Action Dynamic as may-replace, and lists the resources a removed nested stack takes with it', async () => {
    cfn.on(CreateChangeSetCommand).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.Id }).resolves({
      ChangeSetId: ROOT.Id,
      StackId: ROOT.StackId,
      Status: 'CREATE_COMPLETE',
      Changes: [
        change({
          Action: 'Dynamic',
          LogicalResourceId: 'Cluster',
          ResourceType: 'AWS::RDS::DBCluster',
        }),
        // A removed nested stack has no change set of its own: its resources go with it.
        change({
          Action: 'Remove',
          LogicalResourceId: 'Data',
          PhysicalResourceId: NESTED_STACK,
          ResourceType: 'AWS::CloudFormation::Stack',
        }),
      ],
    });
    cfn.on(ListStackResourcesCommand, { StackName: NESTED_STACK }).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Db',
          PhysicalResourceId: 'app-db',
          ResourceType: 'AWS::RDS::DBInstance',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date('2026-01-01T00:00:00Z'),
        },
      ],
    });
    const result = await createChangeSet(options);
    if (result.kind !== 'ready') throw new Error('expected a ready change set');
    expect(changeRows(result.changes)).toEqual([
      ['Dynamic', 'Cluster', 'AWS::RDS::DBCluster', 'possibly (dynamic)', '-'],
      ['Remove', 'Data', 'AWS::CloudFormation::Stack', '-', '-'],
      ['Remove', 'Data/Db', 'AWS::RDS::DBInstance', '-', 'with nested stack Data'],
    ]);
    const risks = stackProtectionRisks({
      changes: result.changes,
      protect: ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'],
      allowReplacement: [],
    });
    expect(risks.map((risk) => [risk.logicalId, risk.what])).toEqual([
      ['Cluster', 'may replace'],
      ['Data/Db', 'delete'],
    ]);
  });
});
