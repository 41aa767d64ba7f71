// A pass-through HTTP proxy in front of moto, for one thing moto cannot say: a task's real exit
// code. moto reports every container's exitCode as 0 (moto/ecs/models.py, Container.__init__) and
// has no way to set it; the demo runs the task's command itself (stand-ins.mjs), so it knows the
// code, and this proxy puts it into the DescribeTasks answers for that task — with the stopCode
// and reason ECS gives when the essential container exits. Everything else passes unchanged.
import { createServer, request as httpRequest } from 'node:http';

const DESCRIBE_TASKS = 'AmazonEC2ContainerServiceV20141113.DescribeTasks';

/**
 * @param {{ upstream: string }} options moto's URL
 * @returns {Promise<{ url: string, stop: () => Promise<void>,
 *   setExit: (taskArn: string, exit: { container: string, exitCode: number }) => void }>}
 */
export async function startExitCodeProxy({ upstream }) {
  const target = new URL(upstream);
  /** @type {Map<string, { container: string, exitCode: number }>} */
  const exits = new Map();

  const server = createServer((request, response) => {
    const rewrite = request.headers['x-amz-target'] === DESCRIBE_TASKS && exits.size > 0;
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (reply) => {
        if (!rewrite) {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
          return;
        }
        const chunks = /** @type {Buffer[]} */ ([]);
        reply.on('data', (chunk) => chunks.push(chunk));
        reply.on('end', () => {
          let body = Buffer.concat(chunks);
          try {
            const answer = JSON.parse(body.toString('utf8'));
            for (const task of answer.tasks ?? []) {
              const exit = exits.get(task.taskArn);
              if (!exit || task.lastStatus !== 'STOPPED') continue;
              task.stopCode = 'EssentialContainerExited';
              task.stoppedReason = 'Essential container in task exited';
              for (const container of task.containers ?? []) {
                if (container.name !== exit.container) continue;
                container.exitCode = exit.exitCode;
                container.lastStatus = 'STOPPED';
              }
            }
            body = Buffer.from(JSON.stringify(answer));
          } catch {
            // not JSON (an error page): pass it on as it is
          }
          const headers = { ...reply.headers, 'content-length': String(body.length) };
          response.writeHead(reply.statusCode ?? 502, headers);
          response.end(body);
        });
      },
    );
    forward.on('error', (error) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`exit-code proxy: ${error.message}`);
    });
    request.pipe(forward);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    setExit: (taskArn, exit) => exits.set(taskArn, exit),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}
