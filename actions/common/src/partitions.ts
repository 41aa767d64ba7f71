/**
 * Which AWS partition a region belongs to, from the AWS SDK's own partition table (the data its
 * endpoint resolver uses), so that every region the SDK knows or would accept — the European
 * Sovereign Cloud's eusc-de-east-1, China, GovCloud, a commercial region newer than our list — is
 * accepted, and a typo is not. And the console host of each partition.
 */
// The SDK keeps the table in @aws-sdk/core's client submodule and exports only `partition()`,
// which falls back to the commercial partition for any string at all; the table itself (ids,
// regions, each partition's region pattern) is this module of plain data. Its types ship apart,
// in dist-types (the PartitionsInfo type below).
// @ts-expect-error -- no declaration file next to the data module
import { partitionsInfo as table } from '../../../node_modules/@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';
import type { PartitionsInfo } from '../../../node_modules/@aws-sdk/core/dist-types/submodules/client/util-endpoints/lib/aws/partition.js';

const partitionsInfo = table as PartitionsInfo;

export interface RegionPartition {
  /** The partition's id: `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`, `aws-iso`, ... */
  id: string;
  /** Its DNS suffix: `amazonaws.com`, `amazonaws.com.cn`, `amazonaws.eu`, ... */
  dnsSuffix: string;
}

/**
 * The partition of `region` as the SDK resolves it: a region the table lists, else the first
 * partition whose region pattern matches; undefined for anything else (where the SDK would quietly
 * assume the commercial partition and the first call would fail on an endpoint that does not
 * exist). The table's `*-global` pseudo-regions are endpoints' names, not places for a stack.
 */
export function regionPartition(region: string): RegionPartition | undefined {
  const { partitions } = partitionsInfo;
  const listed = partitions.find((candidate) => region in candidate.regions);
  const found =
    listed && !region.endsWith('-global')
      ? listed
      : partitions.find((candidate) => new RegExp(candidate.regionRegex).test(region));
  return found ? { id: found.id, dnsSuffix: found.outputs.dnsSuffix } : undefined;
}

/**
 * The AWS Management Console's address for a region, or undefined where this toolkit knows of no
 * public console (the isolated partitions, the European Sovereign Cloud until it publishes one):
 * commercial regions have regional consoles (`<region>.console.aws.amazon.com`,
 * https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html); China has its own console
 * host, console.amazonaws.cn (https://docs.amazonaws.cn/en_us/aws/latest/userguide/general-info.html),
 * and GovCloud console.amazonaws-us-gov.com
 * (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/accessing-govcloud.html); both take the
 * region from the page's `region=` parameter.
 */
export function consoleOrigin(region: string): string | undefined {
  switch (regionPartition(region)?.id) {
    case 'aws':
      return `https://${region}.console.aws.amazon.com`;
    case 'aws-cn':
      return 'https://console.amazonaws.cn';
    case 'aws-us-gov':
      return 'https://console.amazonaws-us-gov.com';
    default:
      return undefined;
  }
}
