/**
 * Image references and the ECR lookup; DescribeImages answers shaped as
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html documents them.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ActionError, InputError } from '../../src/errors.js';
import { findEcrImage, parseImageUri, pinnedUri, shortImage } from '../../src/ecs/image.js';

const ecr = mockClient(ECRClient);
const client = new ECRClient({ region: 'eu-west-1' });
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

beforeEach(() => {
  ecr.reset();
});

describe('parseImageUri', () => {
  it('reads an ECR URI with a tag', () => {
    expect(parseImageUri(`${REGISTRY}/team/api:v1.4.0`)).toEqual({
      uri: `${REGISTRY}/team/api:v1.4.0`,
      registry: REGISTRY,
      repository: 'team/api',
      tag: 'v1.4.0',
      digest: undefined,
      ecr: { registryId: '123456789012', region: 'eu-west-1' },
    });
  });

  it('reads digests, tag plus digest, registries with ports, Docker Hub names', () => {
    expect(parseImageUri(`${REGISTRY}/api@${DIGEST}`).digest).toBe(DIGEST);
    const both = parseImageUri(`${REGISTRY}/api:v1@${DIGEST}`);
    expect([both.tag, both.digest]).toEqual(['v1', DIGEST]);
    const local = parseImageUri('localhost:5000/api:dev');
    expect([local.registry, local.repository, local.tag, local.ecr]).toEqual([
      'localhost:5000',
      'api',
      'dev',
      undefined,
    ]);
    expect(parseImageUri('nginx:1.27').registry).toBeUndefined();
    expect(parseImageUri('public.ecr.aws/nginx/nginx:1').ecr).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    [`${REGISTRY}/api`, /neither a tag nor a digest/],
    [`${REGISTRY}/API:v1`, /lower-case/],
    [`${REGISTRY}/api:v1 x`, /spaces/],
    [`${REGISTRY}/api@sha256:abc`, /digest/],
    [`${REGISTRY}/api:-bad`, /tag/],
  ])('refuses %j', (value, why) => {
    let error: unknown;
    try {
      parseImageUri(value, 'image');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('image');
    expect((error as Error).message).toMatch(why);
  });

  it('pins by digest and shortens for messages', () => {
    const image = parseImageUri(`${REGISTRY}/api:v2`);
    expect(pinnedUri(image, DIGEST)).toBe(`${REGISTRY}/api@${DIGEST}`);
    expect(shortImage(image)).toBe('api:v2');
  });
});

describe('findEcrImage', () => {
  it('finds a tag and returns its digest', async () => {
    ecr
      .on(DescribeImagesCommand, {
        registryId: '123456789012',
        repositoryName: 'api',
        imageIds: [{ imageTag: 'v2' }],
      })
      .resolves({
        imageDetails: [
          {
            registryId: '123456789012',
            repositoryName: 'api',
            imageDigest: DIGEST,
            imageTags: ['v2', 'latest'],
          },
        ],
      });
    const found = await findEcrImage({ ecr: client, image: parseImageUri(`${REGISTRY}/api:v2`) });
    expect(found).toEqual({ digest: DIGEST, tags: ['v2', 'latest'], pushedAt: undefined });
  });

  it('stops naming repository and tag when the tag is not there', async () => {
    ecr.on(DescribeImagesCommand).rejects(
      new ImageNotFoundException({
        message: "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist",
        $metadata: {},
      }),
    );
    const error = (await findEcrImage({
      ecr: client,
      image: parseImageUri(`${REGISTRY}/api:v9`),
    }).catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error.title).toBe('Image not found: api:v9');
    expect(error.message).toContain("ECR repository 'api'");
    expect(error.message).toContain("tagged 'v9'");
  });

  it('names a missing repository', async () => {
    ecr.on(DescribeImagesCommand).rejects(
      new RepositoryNotFoundException({
        message: 'The repository does not exist',
        $metadata: {},
      }),
    );
    const error = (await findEcrImage({
      ecr: client,
      image: parseImageUri(`${REGISTRY}/nope:v1`),
    }).catch((e: unknown) => e)) as ActionError;
    expect(error.title).toBe('No ECR repository: nope');
    expect(error.message).toContain("input 'image'");
  });

  it('refuses a tag and digest that name different images', async () => {
    ecr
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1'] }] });
    await expect(
      findEcrImage({ ecr: client, image: parseImageUri(`${REGISTRY}/api:v2@${DIGEST}`) }),
    ).rejects.toThrow(/not tagged 'v2'/);
  });
});
