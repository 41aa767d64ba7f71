import { describe, expect, it } from '@jest/globals';
import { textTable } from '../../common/src/format.js';
import type { Change } from '@aws-sdk/client-cloudformation';
import { changeRows, CHANGE_HEADERS } from '../src/summary.js';

describe('change table', () => {
  it('says yes, no or conditional for replacements of modified resources only', () => {
    const rows = changeRows(
      (
        [
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'Db',
              ResourceType: 'AWS::RDS::DBCluster',
              Replacement: 'Conditional',
              Scope: ['Properties', 'Tags'],
            },
          },
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'Fn',
              ResourceType: 'AWS::Lambda::Function',
              Replacement: 'False',
              Scope: ['Properties'],
            },
          },
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Add',
              LogicalResourceId: 'Q',
              ResourceType: 'AWS::SQS::Queue',
            },
          },
        ] as Change[]
      ).map((change) => ({ change, stackPath: [] })),
    );
    expect(rows).toEqual([
      ['Modify', 'Db', 'AWS::RDS::DBCluster', 'conditional', 'Properties, Tags'],
      ['Modify', 'Fn', 'AWS::Lambda::Function', 'no', 'Properties'],
      ['Add', 'Q', 'AWS::SQS::Queue', '-', '-'],
    ]);
    expect(textTable(CHANGE_HEADERS, rows).split('\n')).toEqual([
      'Action  Logical ID  Type                   Replacement  Scope',
      '------  ----------  ---------------------  -----------  ----------------',
      'Modify  Db          AWS::RDS::DBCluster    conditional  Properties, Tags',
      'Modify  Fn          AWS::Lambda::Function  no           Properties',
      'Add     Q           AWS::SQS::Queue        -            -',
    ]);
  });
});
