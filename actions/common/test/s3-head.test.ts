/**
 * S3 HEAD failures as the SDK raises them: a HEAD answer has no body, so the error is named
 * "Unknown" with the message "UnknownError", and only $metadata.httpStatusCode and the raw
 * response's headers ($response, a hidden field) say what happened
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
 */
import { describe, expect, it } from '@jest/globals';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describeError } from '../src/errors.js';
import { classifyS3Head, s3HeadError } from '../src/s3-head.js';

function headError(status: number, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({
    name: status === 404 ? 'NotFound' : 'Unknown',
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'R1', extendedRequestId: 'E1' },
    message: status === 404 ? 'NotFound' : 'UnknownError',
  });
  // The SDK attaches the raw response as a hidden field.
  Object.defineProperty(error, '$response', {
    value: { statusCode: status, headers, body: undefined },
    enumerable: false,
  });
  return error;
}

describe('classifyS3Head', () => {
  it('reads the status, and the region S3 names for a bucket elsewhere', () => {
    expect(classifyS3Head(headError(403), 'eu-west-1')).toEqual({ kind: 'access-denied' });
    expect(classifyS3Head(headError(404), 'eu-west-1')).toEqual({ kind: 'not-found' });
    expect(
      classifyS3Head(headError(301, { 'x-amz-bucket-region': 'eu-central-1' }), 'eu-west-1'),
    ).toEqual({ kind: 'wrong-region', region: 'eu-central-1' });
    expect(classifyS3Head(headError(301), 'eu-west-1')).toEqual({ kind: 'wrong-region' });
    // A 400 naming another region is the same mistake; one naming ours is something else.
    expect(
      classifyS3Head(headError(400, { 'x-amz-bucket-region': 'us-east-2' }), 'eu-west-1'),
    ).toEqual({ kind: 'wrong-region', region: 'us-east-2' });
    expect(
      classifyS3Head(headError(400, { 'x-amz-bucket-region': 'eu-west-1' }), 'eu-west-1'),
    ).toBeUndefined();
    expect(classifyS3Head(headError(500), 'eu-west-1')).toBeUndefined();
    expect(classifyS3Head(new Error('socket hang up'), 'eu-west-1')).toBeUndefined();
  });
});

describe('s3HeadError', () => {
  it('names the bucket and the permission for a 403, where the SDK says only Unknown', () => {
    expect(describeError(headError(403)).title).toBe('AWS error: Unknown');
    const error = s3HeadError(headError(403), { bucket: 'site', region: 'eu-west-1' });
    expect(error?.title).toBe('Access denied: s3:ListBucket on site');
    expect(error?.message).toContain('HeadBucket on the S3 bucket site was refused (403');
    expect(error?.hint).toContain('Allow s3:ListBucket on the bucket site');
    const object = s3HeadError(headError(403), {
      bucket: 'site',
      key: 'web/index.html',
      region: 'eu-west-1',
    });
    expect(object?.title).toBe('Access denied: s3:GetObject on site');
    expect(object?.message).toContain('HeadObject on s3://site/web/index.html');
  });

  it('says which region the bucket is in for a 301, and how to point the step there', () => {
    const error = s3HeadError(headError(301, { 'x-amz-bucket-region': 'eu-central-1' }), {
      bucket: 'site',
      region: 'us-east-1',
    });
    expect(error?.title).toBe('Bucket site is in eu-central-1');
    expect(error?.message).toContain('while this step calls S3 in us-east-1');
    expect(error?.hint).toContain('Set aws-region: eu-central-1');
  });

  it('leaves a 404 and unreadable errors to the caller', () => {
    expect(s3HeadError(headError(404), { bucket: 'site', region: 'eu-west-1' })).toBeUndefined();
    expect(s3HeadError(new Error('boom'), { bucket: 'site', region: 'eu-west-1' })).toBeUndefined();
  });
});
