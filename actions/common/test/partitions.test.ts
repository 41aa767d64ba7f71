import { describe, expect, it } from '@jest/globals';
import { resolveRegion } from '../src/aws-client.js';
import { consoleOrigin, regionPartition } from '../src/partitions.js';
import { consoleUrl } from '../src/summary.js';

describe('regionPartition (the SDK partition table)', () => {
  it('knows the regions of every partition the SDK lists', () => {
    expect(regionPartition('eu-west-1')).toEqual({ id: 'aws', dnsSuffix: 'amazonaws.com' });
    expect(regionPartition('eusc-de-east-1')).toEqual({
      id: 'aws-eusc',
      dnsSuffix: 'amazonaws.eu',
    });
    expect(regionPartition('cn-northwest-1')).toEqual({
      id: 'aws-cn',
      dnsSuffix: 'amazonaws.com.cn',
    });
    expect(regionPartition('us-gov-west-1')?.id).toBe('aws-us-gov');
    expect(regionPartition('us-iso-east-1')?.id).toBe('aws-iso');
  });

  it("accepts a region the table does not list yet when its partition's pattern does", () => {
    expect(regionPartition('eu-north-9')?.id).toBe('aws');
    expect(regionPartition('eusc-de-west-2')?.id).toBe('aws-eusc');
    expect(regionPartition('cn-south-3')?.id).toBe('aws-cn');
  });

  it('refuses what no partition would take, and the table’s pseudo-regions', () => {
    for (const name of ['Frankfurt', 'eu-west1', 'euwest-1', 'xx-east-1', 'eusc-fr-east-1', '']) {
      expect(regionPartition(name)).toBeUndefined();
    }
    expect(regionPartition('aws-global')).toBeUndefined();
    expect(regionPartition('aws-cn-global')).toBeUndefined();
  });

  it('is what the aws-region input accepts', () => {
    expect(resolveRegion('eusc-de-east-1', {})).toBe('eusc-de-east-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-gov-east-1' })).toBe('us-gov-east-1');
    expect(() => resolveRegion('eu-west1', {})).toThrow(
      /'aws-region': got "eu-west1"; expected a region name such as eu-west-1, us-gov-west-1, cn-north-1 or eusc-de-east-1/,
    );
  });
});

describe('console links per partition', () => {
  it('uses the regional console in the commercial partition, the own hosts of China and GovCloud', () => {
    expect(consoleOrigin('eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com');
    expect(consoleOrigin('cn-north-1')).toBe('https://console.amazonaws.cn');
    expect(consoleOrigin('us-gov-west-1')).toBe('https://console.amazonaws-us-gov.com');
    expect(consoleUrl('cn-north-1', '/cloudformation/home?region=cn-north-1')).toBe(
      'https://console.amazonaws.cn/cloudformation/home?region=cn-north-1',
    );
    expect(consoleUrl('us-gov-east-1', 's3/buckets/site')).toBe(
      'https://console.amazonaws-us-gov.com/s3/buckets/site',
    );
  });

  it('links nowhere where no public console is known, rather than to a wrong host', () => {
    expect(consoleOrigin('eusc-de-east-1')).toBeUndefined();
    expect(consoleOrigin('us-iso-east-1')).toBeUndefined();
    expect(consoleUrl('eusc-de-east-1', 's3/buckets/site')).toBe('');
  });
});
