import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { failedResources } from '../src/stack.js';

const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  cfn.reset();
});
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f2e3d';

/**
 * StackResourceSummary as ListStackResources returns it (API reference:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html,
 * "Returns descriptions of all resources of the specified stack", paged by NextToken).
 */
function summary(index: number, status = 'UPDATE_COMPLETE', reason?: string): StackResourceSummary {
  return {
    LogicalResourceId: `Param${index}`,
    PhysicalResourceId: `/app/param-${index}`,
    ResourceType: 'AWS::SSM::Parameter',
    LastUpdatedTimestamp: new Date('2026-01-01T00:00:00Z'),
    ResourceStatus: status as StackResourceSummary['ResourceStatus'],
    ...(reason ? { ResourceStatusReason: reason } : {}),
  };
}

describe('failedResources', () => {
  // DescribeStackResources: "Only the first 100 resources will be returned. If your stack has more
  // resources than this, you should use ListStackResources instead." (API_DescribeStackResources)
  it('reads every page of ListStackResources, so a failed resource past the first 100 is named', async () => {
    const first = Array.from({ length: 100 }, (_, index) => summary(index));
    cfn
      .on(ListStackResourcesCommand, { StackName: STACK_ID, NextToken: undefined })
      .resolves({ StackResourceSummaries: first, NextToken: 'page-2' });
    cfn.on(ListStackResourcesCommand, { StackName: STACK_ID, NextToken: 'page-2' }).resolves({
      StackResourceSummaries: [
        summary(100),
        summary(101, 'UPDATE_FAILED', 'Parameter was deleted outside CloudFormation'),
      ],
    });
    const failed = await failedResources(
      new CloudFormationClient({ region: 'us-east-1' }),
      STACK_ID,
    );
    expect(failed).toEqual([
      'Param101 (AWS::SSM::Parameter) UPDATE_FAILED: Parameter was deleted outside CloudFormation',
    ]);
    expect(cfn.commandCalls(ListStackResourcesCommand)).toHaveLength(2);
    expect(cfn.commandCalls(DescribeStackResourcesCommand)).toHaveLength(0);
  });
});
