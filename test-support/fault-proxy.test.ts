// The fault proxy on its own: faults the first N matching requests in each protocol's error shape,
// forwards the rest byte for byte, and the real SDK reads its errors as AWS errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, describeError } from '../actions/common/src/errors.js';
import {
  jsonError,
  jsonResponse,
  jsonTarget,
  queryAction,
  queryError,
  restXmlError,
  signedFor,
  startFaultProxy,
} from './fault-proxy.js';

const DESCRIBE_STACKS_XML = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
<DescribeStacksResult><Stacks><member><StackName>demo</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1</StackId>
<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult>
<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStacksResponse>`;

let target: Server;
let targetUrl: string;
let targetHits = 0;

beforeAll(async () => {
  target = createServer((request, response) => {
    targetHits++;
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/xml', 'x-echo-length': String(body.length) });
      response.end(DESCRIBE_STACKS_XML);
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => target.close(resolve));
});

function cloudFormation(endpoint: string, maxAttempts: number): CloudFormationClient {
  return new CloudFormationClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

describe('startFaultProxy', () => {
  it('answers the first N matching requests with the fault, then forwards to the target', async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [
        {
          match: queryAction('DescribeStacks'),
          times: 2,
          response: queryError('Throttling', 'Rate exceeded'),
        },
      ],
    });
    try {
      const before = targetHits;
      // The SDK's standard retries absorb two throttles and the third attempt reaches the target.
      const response = await cloudFormation(proxy.url, 3).send(new DescribeStacksCommand({}));
      expect(response.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      expect(proxy.hits).toEqual([2]);
      expect(proxy.requests.map((request) => request.faulted)).toEqual([true, true, false]);
      expect(targetHits - before).toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it("produces a query-protocol error the SDK reports under the error's code and status", async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [
        {
          match: signedFor('cloudformation'),
          times: Infinity,
          response: queryError(
            'ExpiredToken',
            'The security token included in the request is expired',
            403,
          ),
        },
      ],
    });
    try {
      const error = await cloudFormation(proxy.url, 3)
        .send(new DescribeStacksCommand({}))
        .catch((caught: unknown) => caught);
      expect(awsErrorCode(error)).toBe('ExpiredToken');
      expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(
        403,
      );
      expect(describeError(error).title).toBe('AWS credentials expired');
      // ExpiredToken is not retryable: one attempt only.
      expect(proxy.hits).toEqual([1]);
    } finally {
      await proxy.stop();
    }
  });

  it('leaves requests no rule matches alone, bodies included', async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [
        {
          match: queryAction('CreateChangeSet'),
          times: 5,
          response: queryError('Throttling', 'x'),
        },
      ],
    });
    try {
      const response = await fetch(proxy.url, {
        method: 'POST',
        body: 'Action=DescribeStacks&Version=2010-05-15',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-echo-length')).toBe('40');
      expect(proxy.hits).toEqual([0]);
    } finally {
      await proxy.stop();
    }
  });

  it('produces REST-XML (S3) and JSON (ECS) errors the SDK reads under their codes', async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [
        {
          match: signedFor('s3'),
          times: Infinity,
          response: restXmlError('AccessDenied', 'Access Denied', 403),
        },
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeServices'),
          times: Infinity,
          response: jsonError('ClusterNotFoundException', 'Cluster not found.'),
        },
      ],
    });
    const config = {
      endpoint: proxy.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    try {
      const s3Error = await new S3Client({ ...config, forcePathStyle: true })
        .send(new ListObjectsV2Command({ Bucket: 'site' }))
        .catch((caught: unknown) => caught);
      expect(awsErrorCode(s3Error)).toBe('AccessDenied');
      const ecsError = await new ECSClient(config)
        .send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }))
        .catch((caught: unknown) => caught);
      expect(awsErrorCode(ecsError)).toBe('ClusterNotFoundException');
      expect(proxy.hits).toEqual([1, 1]);
    } finally {
      await proxy.stop();
    }
  });

  it('builds the REST-XML and JSON error shapes and matches JSON targets', () => {
    expect(restXmlError('SlowDown', 'Reduce your request rate', 503)).toMatchObject({
      status: 503,
      body: expect.stringContaining('<Code>SlowDown</Code>'),
    });
    const json = jsonError('ThrottlingException', 'Rate exceeded');
    expect(JSON.parse(json.body)).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    const match = jsonTarget('AmazonEC2ContainerServiceV20141113.UpdateService');
    expect(
      match({
        method: 'POST',
        url: '/',
        body: '',
        headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.UpdateService' },
      }),
    ).toBe(true);
    expect(match({ method: 'POST', url: '/', body: '', headers: {} })).toBe(false);
  });

  it('rewrites the real answer with transform, and computes responses from the request', async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [
        {
          match: queryAction('DescribeStacks'),
          times: 1,
          transform: (_request, upstream) => ({
            status: upstream.status,
            body: upstream.body.replace('CREATE_COMPLETE', 'UPDATE_ROLLBACK_FAILED'),
          }),
        },
        {
          match: jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeServices'),
          times: Infinity,
          // undefined forwards: only the cluster named "scripted" is answered here.
          response: (request) =>
            request.body.includes('"scripted"')
              ? jsonResponse({ services: [{ serviceName: 'api', status: 'ACTIVE' }], failures: [] })
              : undefined,
        },
      ],
    });
    try {
      const cloudformation = new CloudFormationClient({
        endpoint: proxy.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      const first = await cloudformation.send(new DescribeStacksCommand({ StackName: 'demo' }));
      const second = await cloudformation.send(new DescribeStacksCommand({ StackName: 'demo' }));
      expect(first.Stacks?.[0]?.StackStatus).toBe('UPDATE_ROLLBACK_FAILED');
      expect(second.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      const ecs = new ECSClient({
        endpoint: proxy.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      });
      const scripted = await ecs.send(
        new DescribeServicesCommand({ cluster: 'scripted', services: ['api'] }),
      );
      expect(scripted.services?.[0]?.serviceName).toBe('api');
      expect(proxy.hits).toEqual([1, 1]);
    } finally {
      await proxy.stop();
    }
  });

  it('holds a matching request without an answer, and forwards the others', async () => {
    const proxy = await startFaultProxy({
      target: targetUrl,
      rules: [{ match: queryAction('DescribeStacks'), times: 1, hold: true }],
    });
    try {
      const cloudformation = new CloudFormationClient({
        endpoint: proxy.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      });
      const held = await cloudformation
        .send(new DescribeStacksCommand({ StackName: 'demo' }), {
          abortSignal: AbortSignal.timeout(300),
        })
        .catch((caught: unknown) => caught);
      expect(held).toBeInstanceOf(Error);
      expect((held as Error).name).toBe('AbortError');
      const next = await cloudformation.send(new DescribeStacksCommand({ StackName: 'demo' }));
      expect(next.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      expect(proxy.hits).toEqual([1]);
    } finally {
      await proxy.stop();
    }
  });
});
