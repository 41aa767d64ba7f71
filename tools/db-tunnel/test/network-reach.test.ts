/**
 * Whether the task's network reaches ssmmessages, decided from EC2 Describe answers shaped as the
 * API reference documents them (network-reach.ts cites the pages). Against moto the same check runs
 * in the integration test; here every branch.
 */
import { describe, expect, it } from '@jest/globals';
import type { RouteTable, SecurityGroup, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import { type NetworkFacts, networkReach } from '../src/network-reach.js';

const VPC = 'vpc-0a1b2c3d4e5f60718';
const subnets: Subnet[] = [
  {
    SubnetId: 'subnet-0aaa',
    VpcId: VPC,
    AvailabilityZone: 'eu-west-1a',
    CidrBlock: '10.0.32.0/20',
  },
  {
    SubnetId: 'subnet-0bbb',
    VpcId: VPC,
    AvailabilityZone: 'eu-west-1b',
    CidrBlock: '10.0.48.0/20',
  },
];
const openEgress: SecurityGroup = {
  GroupId: 'sg-0api',
  VpcId: VPC,
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
};
const local = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' } as const;

function table(id: string, subnet: string | 'main', routes: RouteTable['Routes']): RouteTable {
  return {
    RouteTableId: id,
    VpcId: VPC,
    Associations: [subnet === 'main' ? { Main: true } : { Main: false, SubnetId: subnet }],
    Routes: [local, ...(routes ?? [])],
  };
}

const natTables = [
  table('rtb-a', 'subnet-0aaa', [
    { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a', State: 'active' },
  ]),
  table('rtb-b', 'subnet-0bbb', [
    { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a', State: 'active' },
  ]),
];
const isolatedTables = [table('rtb-a', 'subnet-0aaa', []), table('rtb-b', 'subnet-0bbb', [])];
const endpoint: VpcEndpoint = {
  VpcEndpointId: 'vpce-0ssm',
  VpcId: VPC,
  ServiceName: 'com.amazonaws.eu-west-1.ssmmessages',
  VpcEndpointType: 'Interface',
  // The SDK's enum spells it Available; the wire (and moto) say available: the check ignores case.
  State: 'Available',
  PrivateDnsEnabled: true,
};

function facts(overrides: Partial<NetworkFacts>): NetworkFacts {
  return {
    region: 'eu-west-1',
    subnets,
    routeTables: natTables,
    endpoints: [],
    securityGroups: [openEgress],
    assignPublicIp: false,
    ...overrides,
  };
}

describe('networkReach', () => {
  it('is ok through a NAT gateway route in every subnet', () => {
    const result = networkReach(facts({}));
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('subnet-0aaa via NAT gateway nat-0a');
  });

  it('is ok through an ssmmessages interface endpoint without any NAT', () => {
    const result = networkReach(facts({ routeTables: isolatedTables, endpoints: [endpoint] }));
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('vpce-0ssm');
  });

  it('fails without a default route and without the endpoint, naming the subnet and the fix', () => {
    const result = networkReach(
      facts({
        routeTables: isolatedTables,
        // Endpoints for other services do not count, nor one still pending.
        endpoints: [
          { ...endpoint, VpcEndpointId: 'vpce-logs', ServiceName: 'com.amazonaws.eu-west-1.logs' },
          { ...endpoint, VpcEndpointId: 'vpce-new', State: 'Pending' },
        ],
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.detail).toContain(
      'subnet subnet-0aaa: its route table rtb-a has no default route',
    );
    expect(result.fix).toContain('CreateVpcEndpoints=true');
  });

  it('fails when the endpoint has private DNS off (the public name would still be used)', () => {
    const result = networkReach(
      facts({
        routeTables: isolatedTables,
        endpoints: [{ ...endpoint, PrivateDnsEnabled: false }],
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.fix).toContain('--private-dns-enabled');
  });

  it('uses the VPC main route table for a subnet without an explicit association', () => {
    const tables = [
      table('rtb-main', 'main', [
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0m', State: 'active' },
      ]),
    ];
    expect(networkReach(facts({ routeTables: tables })).detail).toContain('nat-0m');
  });

  it('needs a public IP on the task when the default route goes to an internet gateway', () => {
    const tables = [
      table('rtb-pub', 'main', [
        { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0pub', State: 'active' },
      ]),
    ];
    const without = networkReach(facts({ routeTables: tables, assignPublicIp: false }));
    expect(without.status).toBe('failed');
    expect(without.detail).toContain('no public IP');
    expect(networkReach(facts({ routeTables: tables, assignPublicIp: true })).status).toBe('ok');
  });

  it('ignores a blackholed default route', () => {
    const tables = [
      table('rtb-a', 'main', [
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-gone', State: 'blackhole' },
      ]),
    ];
    expect(networkReach(facts({ routeTables: tables })).status).toBe('failed');
  });

  it('cannot judge a transit gateway route: unknown, not failed', () => {
    const tables = [
      table('rtb-tgw', 'main', [
        { DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-0hub', State: 'active' },
      ]),
    ];
    const result = networkReach(facts({ routeTables: tables }));
    expect(result.status).toBe('unknown');
    expect(result.detail).toContain('tgw-0hub');
  });

  it('fails when no security group of the task lets HTTPS out', () => {
    const closed: SecurityGroup[] = [
      { GroupId: 'sg-0api', IpPermissionsEgress: [] },
      {
        GroupId: 'sg-0db-client',
        IpPermissionsEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: 3306,
            ToPort: 3306,
            UserIdGroupPairs: [{ GroupId: 'sg-0db' }],
          },
        ],
      },
    ];
    const result = networkReach(facts({ securityGroups: closed }));
    expect(result.status).toBe('failed');
    expect(result.detail).toContain('tcp 443');
    const https: SecurityGroup[] = [
      {
        GroupId: 'sg-0api',
        IpPermissionsEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            PrefixListIds: [{ PrefixListId: 'pl-1' }],
          },
        ],
      },
    ];
    expect(networkReach(facts({ securityGroups: https })).status).toBe('ok');
  });
});
