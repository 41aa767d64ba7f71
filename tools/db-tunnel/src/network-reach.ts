/**
 * Preflight: the tunnel task's network reaches `ssmmessages.<region>.amazonaws.com` on 443, which
 * the ECS Exec agent in the task needs to open its channels (ECS Exec considerations:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html — "using interface VPC
 * endpoints" / a NAT gateway for tasks in private subnets). Otherwise the agent never connects and
 * the session fails with TargetNotConnectedException after the task was started for nothing.
 *
 * Reachable when, for every subnet the task may land in, its route table has a default route to a
 * NAT gateway (or to an internet gateway with a public IP on the task), or the VPC has an available
 * `com.amazonaws.<region>.ssmmessages` interface endpoint with private DNS; and one of the task's
 * security groups lets HTTPS out. Routes through a transit gateway, a firewall or a peering
 * connection cannot be judged from here: `unknown`, not a failure.
 *
 * Pure decision (`networkReach`) over DescribeSubnets, DescribeRouteTables, DescribeVpcEndpoints
 * and DescribeSecurityGroups answers, read by `checkNetworkReach`:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RouteTable.html (Associations[].Main,
 * SubnetId; Routes[].DestinationCidrBlock, NatGatewayId, GatewayId, State),
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html (ServiceName,
 * VpcEndpointType, State, PrivateDnsEnabled),
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html (egress rules).
 */
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type IpPermission,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../../../actions/common/src/errors.js';
import type { CheckResult } from './checks.js';

export interface NetworkFacts {
  region: string;
  subnets: Subnet[];
  routeTables: RouteTable[];
  endpoints: VpcEndpoint[];
  securityGroups: SecurityGroup[];
  assignPublicIp: boolean;
}

const NAME = 'network reaches ssmmessages';

type SubnetWay =
  | { kind: 'nat'; via: string }
  | { kind: 'internet'; via: string }
  | { kind: 'other'; via: string }
  | { kind: 'none'; why: string };

export function networkReach(facts: NetworkFacts): CheckResult {
  const service = `com.amazonaws.${facts.region}.ssmmessages`;
  const endpoint = facts.endpoints.find(
    (candidate) =>
      candidate.ServiceName === service &&
      (candidate.VpcEndpointType ?? 'Interface').toLowerCase() === 'interface' &&
      (candidate.State ?? '').toLowerCase() === 'available',
  );
  const egress = httpsEgress(facts.securityGroups);
  if (!egress) {
    return {
      name: NAME,
      status: 'failed',
      detail: `no security group of the task (${facts.securityGroups.map((group) => group.GroupId).join(', ') || 'none'}) allows HTTPS (tcp 443) out`,
      fix: "add an egress rule for tcp 443 to the service's security group (app.yaml's ServiceSecurityGroup allows all egress by default).",
    };
  }
  if (endpoint) {
    if (endpoint.PrivateDnsEnabled === false) {
      return {
        name: NAME,
        status: 'failed',
        detail: `the VPC's ssmmessages endpoint ${endpoint.VpcEndpointId} has private DNS off, so ssmmessages.${facts.region}.amazonaws.com still resolves to the public address`,
        fix: `enable private DNS on ${endpoint.VpcEndpointId} (aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoint.VpcEndpointId} --private-dns-enabled).`,
      };
    }
    return {
      name: NAME,
      status: 'ok',
      detail: `through the VPC endpoint ${endpoint.VpcEndpointId} (${service}), HTTPS out allowed by ${egress}`,
    };
  }
  const ways = facts.subnets.map((subnet) => ({
    subnet: subnet.SubnetId ?? '?',
    way: subnetWay(subnet, facts),
  }));
  const blocked = ways.filter(({ way }) => way.kind === 'none');
  const unknown = ways.filter(({ way }) => way.kind === 'other');
  if (blocked.length > 0) {
    return {
      name: NAME,
      status: 'failed',
      detail: `${blocked
        .map(({ subnet, way }) => `subnet ${subnet}: ${way.kind === 'none' ? way.why : ''}`)
        .join('; ')}, and the VPC has no ${service} endpoint`,
      fix: 'give the private subnets a default route to a NAT gateway, or deploy the network stack with CreateVpcEndpoints=true (it adds the ssmmessages endpoint).',
    };
  }
  if (unknown.length > 0) {
    return {
      name: NAME,
      status: 'unknown',
      detail: `${unknown
        .map(
          ({ subnet, way }) =>
            `subnet ${subnet} routes 0.0.0.0/0 through ${way.kind === 'other' ? way.via : ''}`,
        )
        .join('; ')}: cannot tell from here whether that reaches ssmmessages`,
      fix: `if the session fails with TargetNotConnectedException, add a ${service} interface endpoint to the VPC.`,
    };
  }
  return {
    name: NAME,
    status: 'ok',
    detail: `${ways
      .map(({ subnet, way }) => `${subnet} via ${way.kind === 'none' ? '' : way.via}`)
      .join(', ')}; HTTPS out allowed by ${egress}`,
  };
}

function subnetWay(subnet: Subnet, facts: NetworkFacts): SubnetWay {
  const table = routeTableOf(subnet, facts.routeTables);
  if (!table) return { kind: 'none', why: 'no route table found for it' };
  const route = (table.Routes ?? []).find(
    (candidate) =>
      candidate.DestinationCidrBlock === '0.0.0.0/0' &&
      (candidate.State ?? 'active').toLowerCase() === 'active',
  );
  if (!route) {
    return {
      kind: 'none',
      why: `its route table ${table.RouteTableId} has no default route (0.0.0.0/0)`,
    };
  }
  if (route.NatGatewayId) return { kind: 'nat', via: `NAT gateway ${route.NatGatewayId}` };
  if (route.GatewayId?.startsWith('igw-')) {
    return facts.assignPublicIp
      ? { kind: 'internet', via: `internet gateway ${route.GatewayId} (public IP)` }
      : {
          kind: 'none',
          why: `its default route goes to internet gateway ${route.GatewayId}, but the task gets no public IP (assignPublicIp DISABLED)`,
        };
  }
  const via =
    route.TransitGatewayId ??
    route.NetworkInterfaceId ??
    route.VpcPeeringConnectionId ??
    route.InstanceId ??
    route.GatewayId ??
    'another target';
  return { kind: 'other', via };
}

/** A subnet's explicit association first, else the VPC's main route table. */
function routeTableOf(subnet: Subnet, tables: readonly RouteTable[]): RouteTable | undefined {
  const explicit = tables.find((table) =>
    (table.Associations ?? []).some((association) => association.SubnetId === subnet.SubnetId),
  );
  if (explicit) return explicit;
  return tables.find(
    (table) =>
      table.VpcId === subnet.VpcId &&
      (table.Associations ?? []).some((association) => association.Main === true),
  );
}

/** The group whose egress admits tcp 443 to somewhere, or undefined. */
function httpsEgress(groups: readonly SecurityGroup[]): string | undefined {
  for (const group of groups) {
    if ((group.IpPermissionsEgress ?? []).some(allowsHttps)) return group.GroupId ?? 'a group';
  }
  return undefined;
}

function allowsHttps(rule: IpPermission): boolean {
  const protocol = rule.IpProtocol ?? '';
  const protocolOk = protocol === '-1' || protocol === 'tcp' || protocol === '6';
  const portOk =
    protocol === '-1' ||
    rule.FromPort === undefined ||
    ((rule.FromPort ?? 0) <= 443 && 443 <= (rule.ToPort ?? 65535));
  const somewhere =
    (rule.IpRanges?.length ?? 0) > 0 ||
    (rule.Ipv6Ranges?.length ?? 0) > 0 ||
    (rule.PrefixListIds?.length ?? 0) > 0 ||
    (rule.UserIdGroupPairs?.length ?? 0) > 0;
  return protocolOk && portOk && somewhere;
}

/** Reads the facts with EC2 Describe calls (ec2:Describe*, in ReadOnlyAccess) and decides. */
export async function checkNetworkReach(options: {
  ec2: EC2Client;
  region: string;
  subnets: readonly string[];
  securityGroups: readonly string[];
  assignPublicIp: boolean;
}): Promise<CheckResult> {
  try {
    const { Subnets: subnets = [] } = await options.ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: [...options.subnets] }),
    );
    const vpcs = [...new Set(subnets.map((subnet) => subnet.VpcId).filter(Boolean) as string[])];
    const filters = [{ Name: 'vpc-id', Values: vpcs }];
    const [{ RouteTables: routeTables = [] }, { VpcEndpoints: endpoints = [] }, groups] =
      await Promise.all([
        options.ec2.send(new DescribeRouteTablesCommand({ Filters: filters })),
        options.ec2.send(new DescribeVpcEndpointsCommand({ Filters: filters })),
        options.securityGroups.length > 0
          ? options.ec2.send(
              new DescribeSecurityGroupsCommand({ GroupIds: [...options.securityGroups] }),
            )
          : options.ec2.send(
              new DescribeSecurityGroupsCommand({
                Filters: [...filters, { Name: 'group-name', Values: ['default'] }],
              }),
            ),
      ]);
    return networkReach({
      region: options.region,
      subnets,
      routeTables,
      endpoints,
      securityGroups: groups.SecurityGroups ?? [],
      assignPublicIp: options.assignPublicIp,
    });
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'UnauthorizedOperation' || code === 'AccessDenied') {
      return {
        name: NAME,
        status: 'unknown',
        detail:
          'your credentials may not describe the VPC (ec2:DescribeSubnets, DescribeRouteTables, DescribeVpcEndpoints, DescribeSecurityGroups); not checked',
        fix: 'nothing to do if the tunnel connects; a TargetNotConnectedException then points at the network.',
      };
    }
    throw error;
  }
}
