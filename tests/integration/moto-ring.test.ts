// The integration ring itself: the SDK really reaches this worker's moto over HTTP, and moto's
// state is reset before each file.
import { describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { createClient } from '../../actions/common/src/aws-client.js';
import { motoUrl } from '../../test-support/moto.js';

describe('the local AWS', () => {
  it('answers on 127.0.0.1 and the client factory reaches it', async () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(motoUrl());
    expect(motoUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const s3 = createClient(S3Client, 'S3', { action: 'test' });
    await s3.send(new CreateBucketCommand({ Bucket: 'ring-check' }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((bucket) => bucket.Name)).toEqual(['ring-check']);
  });
});
