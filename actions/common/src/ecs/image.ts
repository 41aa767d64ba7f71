/**
 * Container image references: parse `registry/repository[:tag][@sha256:…]`, look an ECR image up
 * (so a missing tag stops the step before anything changes, instead of tasks failing with
 * CannotPullContainerError minutes later), and pin it by digest (a tag can move; a digest cannot,
 * so every task of the revision runs the same bytes).
 *
 * ECR DescribeImages: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html
 * (an unknown tag or digest is ImageNotFoundException, an unknown repository
 * RepositoryNotFoundException). Reference grammar: the OCI distribution spec's
 * https://github.com/distribution/reference (components, tags of at most 128 characters).
 */
import { DescribeImagesCommand, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { ActionError, InputError, isAwsError } from '../errors.js';

export interface ImageReference {
  /** As given (trimmed). */
  uri: string;
  /** `123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `ghcr.io`; undefined for Docker Hub short names. */
  registry?: string;
  /** The path after the registry: `team/api`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
  /** Set when the registry is a private ECR registry. */
  ecr?: { registryId: string; region: string };
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Parses an image URI that names a tag, a digest or both. Anything else (no tag and no digest,
 * upper-case path, spaces, a bad digest) is an InputError naming `input`.
 */
export function parseImageUri(value: string, input = 'image'): ImageReference {
  const uri = value.trim();
  const accepted =
    'a full image URI with a tag or digest, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1.4.0 or …/api@sha256:<64 hex digits>';
  const bad = (why: string): InputError => new InputError(input, value, `${accepted} (${why})`);
  if (uri === '' || /\s/.test(uri)) throw bad(uri === '' ? 'it is empty' : 'it contains spaces');

  let rest = uri;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`the digest '${digest}' is not sha256: and 64 hex digits`);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  let tag: string | undefined;
  const last = parts[parts.length - 1] ?? '';
  const colon = last.lastIndexOf(':');
  if (colon >= 0) {
    tag = last.slice(colon + 1);
    parts[parts.length - 1] = last.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`the tag '${tag}' is not a valid tag`);
  }
  const repository = parts.join('/');
  if (parts.length === 0 || !parts.every((part) => COMPONENT.test(part))) {
    throw bad(`the repository '${repository}' must be lower-case letters, digits and . _ - /`);
  }
  if (!tag && !digest) throw bad('it names neither a tag nor a digest');
  const ecrMatch = registry ? ECR_REGISTRY.exec(registry) : null;
  return {
    uri,
    registry,
    repository,
    tag,
    digest,
    ...(ecrMatch
      ? { ecr: { registryId: ecrMatch[1] as string, region: ecrMatch[2] as string } }
      : {}),
  };
}

/** `registry/repository`, without tag or digest. */
export function imageName(image: ImageReference): string {
  return image.registry ? `${image.registry}/${image.repository}` : image.repository;
}

/** The image named by digest: `registry/repository@sha256:…` (the tag goes, as ECS would ignore it). */
export function pinnedUri(image: ImageReference, digest: string): string {
  return `${imageName(image)}@${digest}`;
}

/** `repository:tag` or `repository@sha256:0123456789ab`, for messages. */
export function shortImage(image: ImageReference): string {
  if (image.tag) return `${image.repository}:${image.tag}`;
  return `${image.repository}@${(image.digest ?? '').slice(0, 19)}`;
}

export interface EcrImage {
  digest: string;
  tags: string[];
  pushedAt?: Date;
}

/**
 * Finds the image in its ECR repository by tag or digest (both, when both are given: they must
 * name the same image). Not there → an ActionError naming the repository and tag, before any change.
 */
export async function findEcrImage(options: {
  ecr: ECRClient;
  image: ImageReference;
  input?: string;
  abortSignal?: AbortSignal;
}): Promise<EcrImage> {
  const { image } = options;
  const input = options.input ?? 'image';
  if (!image.ecr) throw new Error(`${image.uri} is not an ECR image`);
  const ref = shortImage(image);
  const where = `ECR repository '${image.repository}' (account ${image.ecr.registryId}, ${image.ecr.region})`;
  let details: ImageDetail[];
  try {
    const answer = await options.ecr.send(
      new DescribeImagesCommand({
        registryId: image.ecr.registryId,
        repositoryName: image.repository,
        imageIds: [image.digest ? { imageDigest: image.digest } : { imageTag: image.tag }],
      }),
      { abortSignal: options.abortSignal },
    );
    details = answer.imageDetails ?? [];
  } catch (error) {
    if (isAwsError(error, 'ImageNotFoundException')) details = [];
    else if (isAwsError(error, 'RepositoryNotFoundException')) {
      throw new ActionError(
        `No ECR repository: ${image.repository}`,
        `There is no ${where} for the image ${ref} (input '${input}').`,
        `Check the ${input} input (the app stack's RepositoryUri output), or push the image to that repository first.`,
      );
    } else throw error;
  }
  const found = details[0];
  const what = image.tag ? `tagged '${image.tag}'` : `with digest ${image.digest}`;
  if (!found?.imageDigest) {
    throw new ActionError(
      `Image not found: ${ref}`,
      `The ${where} has no image ${what} (input '${input}'). Nothing was changed.`,
      `Push the image before this step (the build step's tag must equal the ${input} input's), or fix the tag.`,
    );
  }
  const tags = found.imageTags ?? [];
  if (image.tag && image.digest && !tags.includes(image.tag)) {
    throw new ActionError(
      `Tag and digest disagree: ${image.tag}`,
      `In the ${where}, the image ${image.digest} is not tagged '${image.tag}' (it has ${tags.join(', ') || 'no tags'}).`,
      `Give the ${input} input either the tag or the digest, or the tag the digest really carries.`,
    );
  }
  return { digest: found.imageDigest, tags, pushedAt: found.imagePushedAt };
}
