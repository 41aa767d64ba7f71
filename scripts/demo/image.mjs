// The backend image, without Docker: the demo compiles the backend on this machine (what the
// Dockerfile's build stage does) and puts an image manifest for it into the local ECR under the
// commit's tag (ECR PutImage). The manifest's config carries what the Dockerfile's runtime stage
// sets (ENV, WORKDIR, CMD), so the stand-ins run a revision's container as the image would.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DescribeImagesCommand, PutImageCommand } from '@aws-sdk/client-ecr';

/**
 * The runtime stage of a Dockerfile (its last FROM): environment, working directory, command.
 * @param {string} text
 */
export function runtimeOf(text) {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const lastFrom = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  /** @type {Record<string, string>} */
  const env = {};
  let workdir = '/';
  /** @type {string[]} */
  let cmd = [];
  for (const line of lines.slice(lastFrom + 1)) {
    const [, instruction, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (/^ENV$/i.test(instruction ?? '')) {
      for (const match of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
        env[match[1]] = match[2].replace(/^"|"$/g, '');
    } else if (/^WORKDIR$/i.test(instruction ?? '')) {
      workdir = path.posix.resolve(workdir, rest);
    } else if (/^CMD$/i.test(instruction ?? '')) {
      cmd = rest.startsWith('[') ? JSON.parse(rest) : ['/bin/sh', '-c', rest];
    }
  }
  return { env, workdir, cmd };
}

/** A digest over every file under a folder (names and contents), standing for the image layer. */
function folderDigest(/** @type {string} */ folder) {
  const hash = createHash('sha256');
  const visit = (/** @type {string} */ dir) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) visit(file);
      else hash.update(`${path.relative(folder, file)}\0`).update(readFileSync(file));
    }
  };
  visit(folder);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * deploy.yml's "Is the image already in ECR": DescribeImages of the commit's tag.
 * @param {{ ecr: import('@aws-sdk/client-ecr').ECRClient, repositoryName: string,
 *   repositoryUri: string, tag: string }} options
 */
export async function findImage({ ecr, repositoryName, repositoryUri, tag }) {
  const uri = `${repositoryUri}:${tag}`;
  try {
    const found = await ecr.send(
      new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }),
    );
    return { exists: true, digest: found.imageDetails?.[0]?.imageDigest ?? '', uri, tag };
  } catch (error) {
    if (/** @type {any} */ (error).name !== 'ImageNotFoundException') throw error;
    return { exists: false, digest: '', uri, tag };
  }
}

/**
 * deploy.yml's "Build and push", without Docker: the manifest of the local build (the backend
 * compiled on this machine) put into the local ECR under the commit's tag.
 * @param {{ ecr: import('@aws-sdk/client-ecr').ECRClient, repositoryName: string, tag: string,
 *   dockerfile: string, build: string }} options
 */
export async function pushImage({ ecr, repositoryName, tag, dockerfile, build }) {
  const runtime = runtimeOf(readFileSync(dockerfile, 'utf8'));
  const layer = folderDigest(build);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: Object.entries(runtime.env).map(([key, value]) => `${key}=${value}`),
      WorkingDir: runtime.workdir,
      Cmd: runtime.cmd,
      Labels: { 'org.opencontainers.image.revision': tag },
    },
    rootfs: { type: 'layers', diff_ids: [layer] },
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: Buffer.byteLength(config),
      digest: `sha256:${createHash('sha256').update(config).digest('hex')}`,
    },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 0, digest: layer },
    ],
  });
  const put = await ecr.send(
    new PutImageCommand({
      repositoryName,
      imageTag: tag,
      imageManifest: manifest,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    }),
  );
  return { digest: put.image?.imageId?.imageDigest ?? '', runtime };
}
