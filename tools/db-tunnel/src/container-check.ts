/**
 * Preflight: the tunnel task can run its TTL command and ECS Exec in the service's revision.
 *
 * - RunTask's command override replaces the image's CMD but not an `entryPoint` set in the task
 *   definition, which would receive `sleep <n>` as its arguments and run the app instead (or fail):
 *   the task would then not end by itself.
 * - The image must have `sleep`: the app image and the bootstrap revision's are both node:alpine
 *   (app.yaml's bootstrap server is a Command, which the override replaces). A custom image
 *   without it makes the task exit at once with 127, which the wait reports as a stopped task.
 * - ECS Exec needs Fargate platform version 1.4.0 or later (LATEST is) and a writable root file
 *   system (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, considerations).
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { CheckResult } from './checks.js';

const NAME = 'tunnel command in the container';

export function checkContainer(options: {
  container: ContainerDefinition;
  platformVersion?: string;
}): CheckResult[] {
  const { container } = options;
  const results: CheckResult[] = [];
  const image = container.image ?? '';
  if ((container.entryPoint ?? []).length > 0) {
    results.push({
      name: NAME,
      status: 'failed',
      detail: `container ${container.name} has entryPoint ${JSON.stringify(container.entryPoint)} in the task definition; RunTask cannot override it, so \`sleep\` would only be its arguments`,
      fix: "move the entry point into the image's ENTRYPOINT/CMD (node:alpine's docker-entrypoint.sh runs sleep as it is), or tunnel through a container without one (--container).",
    });
  } else if (container.essential === false) {
    results.push({
      name: NAME,
      status: 'failed',
      detail: `container ${container.name} is not essential: its sleep ending would not stop the task`,
      fix: 'pass --container with the essential app container.',
    });
  } else {
    results.push({
      name: NAME,
      status: 'ok',
      detail: `container ${container.name} (${image}) runs sleep for the TTL instead of the app`,
    });
  }
  if (container.readonlyRootFilesystem === true) {
    results.push({
      name: 'ECS Exec in the container',
      status: 'failed',
      detail: `container ${container.name} has a read-only root file system; the ECS Exec agent cannot start in it`,
      fix: 'set readonlyRootFilesystem to false for this container (app.yaml does, for this reason).',
    });
  }
  const version = options.platformVersion;
  if (version && version !== 'LATEST' && olderThan(version, [1, 4, 0])) {
    results.push({
      name: 'ECS Exec on this platform version',
      status: 'failed',
      detail: `the service runs on Fargate platform version ${version}; ECS Exec needs 1.4.0 or later`,
      fix: 'set the service PlatformVersion to LATEST (app.yaml does).',
    });
  }
  return results;
}

function olderThan(version: string, than: number[]): boolean {
  const parts = version.split('.').map((part) => Number(part));
  if (parts.some((part) => !Number.isInteger(part))) return false;
  for (let i = 0; i < than.length; i++) {
    const a = parts[i] ?? 0;
    const b = than[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}
