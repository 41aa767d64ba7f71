#!/usr/bin/env node
// deploy-ecs-service against the SDK waiter the official aws-actions/amazon-ecs-deploy-task-definition
// uses, on the same scripted ECS: a deployment that flips to SUCCESSFUL, or to a circuit-breaker
// rollback, FLIP_S seconds after UpdateService (the rollback settles ROLLBACK_SETTLE_S later).
// Measured: seconds from the flip to the action's exit (or the waiter's answer), and the ECS API
// calls per minute while waiting. The waiter runs with the official action's settings
// (waitUntilServicesStable, minDelay 15 s, the SDK's default maxDelay of 120 s, 30 minutes), followed
// as that action does by one DescribeServices that checks whether its deployment was rolled back.
// Then bundle size and cold start beside the official action's dist, read from its git mirror
// (fetched into /work/.mirror by the toolkit's maintainers; not part of this repository).
//
// The scripted ECS answers the JSON protocol with the shapes of the API reference:
// DescribeServices (deployments, rolloutState), UpdateService (currentServiceDeployment),
// DescribeServiceDeployments (status, rollback, circuit breaker), and the task-definition and ECR
// calls the action makes before it rolls.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ECSClient,
  UpdateServiceCommand,
  waitUntilServicesStable,
  DescribeServicesCommand,
} from '@aws-sdk/client-ecs';
import { REPO_ROOT, runAction } from '../../test-support/action-runner.mjs';

const FLIP_S = Number(process.env.BENCH_FLIP_S ?? 20);
const ROLLBACK_SETTLE_S = Number(process.env.BENCH_ROLLBACK_SETTLE_S ?? 45);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const FAMILY = 'bench-api';
const arnOf = (n) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${FAMILY}:${n}`;
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/bench`;
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/bench/bench-api`;
const DEPLOYMENT_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/bench/bench-api/new`;
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bench`;
const DIGEST = `sha256:${'b'.repeat(64)}`;

/** A scripted ECS (and ECR) for one scenario: 'success' or 'rollback'. */
async function scriptedEcs(scenario) {
  const state = {
    updatedAt: undefined,
    calls: [],
    revisions: new Map([[5, definition(5, `${REPO}:v1`)]]),
  };
  const since = () => (state.updatedAt === undefined ? -1 : (Date.now() - state.updatedAt) / 1000);
  const phase = () => {
    const t = since();
    if (t < 0) return 'before';
    if (t < FLIP_S) return 'rolling';
    if (scenario === 'success') return 'done';
    return t < FLIP_S + ROLLBACK_SETTLE_S ? 'rolling-back' : 'rolled-back';
  };
  const newArn = () => arnOf(Math.max(...state.revisions.keys()));
  const deployments = () => {
    const old = { id: 'ecs-svc/old', taskDefinition: arnOf(5), desiredCount: 2, createdAt: 0 };
    const fresh = {
      id: 'ecs-svc/new',
      taskDefinition: newArn(),
      desiredCount: 2,
      createdAt: (state.updatedAt ?? 0) / 1000,
    };
    switch (phase()) {
      case 'before':
        return [
          {
            ...old,
            status: 'PRIMARY',
            runningCount: 2,
            pendingCount: 0,
            rolloutState: 'COMPLETED',
          },
        ];
      case 'rolling':
        return [
          {
            ...fresh,
            status: 'PRIMARY',
            runningCount: 1,
            pendingCount: 1,
            rolloutState: 'IN_PROGRESS',
          },
          { ...old, status: 'ACTIVE', runningCount: 1, pendingCount: 0, rolloutState: 'COMPLETED' },
        ];
      case 'done':
        return [
          {
            ...fresh,
            status: 'PRIMARY',
            runningCount: 2,
            pendingCount: 0,
            rolloutState: 'COMPLETED',
          },
        ];
      case 'rolling-back':
        return [
          {
            ...old,
            id: 'ecs-svc/rollback',
            status: 'PRIMARY',
            runningCount: 1,
            pendingCount: 1,
            rolloutState: 'IN_PROGRESS',
          },
          {
            ...fresh,
            status: 'ACTIVE',
            runningCount: 0,
            pendingCount: 0,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          },
        ];
      default:
        return [
          {
            ...old,
            id: 'ecs-svc/rollback',
            status: 'PRIMARY',
            runningCount: 2,
            pendingCount: 0,
            rolloutState: 'COMPLETED',
          },
        ];
    }
  };
  const serviceDeploymentStatus = () =>
    ({
      before: 'PENDING',
      rolling: 'IN_PROGRESS',
      done: 'SUCCESSFUL',
      'rolling-back': 'ROLLBACK_IN_PROGRESS',
      'rolled-back': 'ROLLBACK_SUCCESSFUL',
    })[phase()];
  const service = () => ({
    serviceArn: SERVICE_ARN,
    serviceName: 'bench-api',
    clusterArn: CLUSTER_ARN,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    taskDefinition:
      phase().startsWith('rolling-back') || phase() === 'rolled-back' || phase() === 'before'
        ? arnOf(5)
        : newArn(),
    deployments: deployments(),
    events: [],
  });
  const handlers = {
    'AmazonEC2ContainerServiceV20141113.DescribeServices': () => ({
      services: [service()],
      failures: [],
    }),
    'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition': ({ taskDefinition }) => {
      const n = Number(String(taskDefinition).split(':').pop());
      return { taskDefinition: state.revisions.get(n), tags: [] };
    },
    'AmazonEC2ContainerServiceV20141113.ListTaskDefinitions': () => ({
      taskDefinitionArns: [...state.revisions.keys()].map(arnOf),
    }),
    'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition': (input) => {
      const n = Math.max(...state.revisions.keys()) + 1;
      const { tags = [], ...fields } = input;
      const registered = { ...fields, taskDefinitionArn: arnOf(n), revision: n, status: 'ACTIVE' };
      state.revisions.set(n, registered);
      return { taskDefinition: registered, tags };
    },
    'AmazonEC2ContainerServiceV20141113.DeregisterTaskDefinition': ({ taskDefinition }) => {
      const found = state.revisions.get(Number(String(taskDefinition).split(':').pop()));
      if (found) found.status = 'INACTIVE';
      return { taskDefinition: found };
    },
    'AmazonEC2ContainerServiceV20141113.UpdateService': () => {
      state.updatedAt = Date.now();
      return { service: { ...service(), currentServiceDeployment: DEPLOYMENT_ARN } };
    },
    'AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments': () => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: DEPLOYMENT_ARN,
          status: serviceDeploymentStatus(),
          targetServiceRevision: {
            arn: 'rev-new',
            requestedTaskCount: 2,
            runningTaskCount: phase() === 'done' ? 2 : 1,
            pendingTaskCount: phase() === 'done' ? 0 : 1,
          },
          ...(phase().startsWith('rolling-back') || phase() === 'rolled-back'
            ? {
                statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
                rollback: { reason: 'circuit breaker', serviceRevisionArn: 'rev-old' },
                deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
              }
            : {
                deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
              }),
        },
      ],
      failures: [],
    }),
    'AmazonEC2ContainerServiceV20141113.DescribeServiceRevisions': ({ serviceRevisionArns }) => ({
      serviceRevisions: serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: arn === 'rev-old' ? arnOf(5) : newArn(),
      })),
    }),
    'AmazonEC2ContainerServiceV20141113.ListTasks': () => ({ taskArns: [] }),
    'AmazonEC2ContainerRegistry_V20150921.DescribeImages': ({ repositoryName }) => ({
      imageDetails: [{ repositoryName, imageDigest: DIGEST, imageTags: ['v2'] }],
    }),
  };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      state.calls.push({ at: Date.now(), target: target.split('.').pop() });
      const handler = handlers[target];
      const body = handler
        ? JSON.stringify(handler(JSON.parse(Buffer.concat(chunks).toString() || '{}')))
        : JSON.stringify({
            __type: 'UnknownOperationException',
            message: `not scripted: ${target}`,
          });
      response.writeHead(handler ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    flipAt: () => state.updatedAt + FLIP_S * 1000,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function definition(revision, image) {
  return {
    taskDefinitionArn: arnOf(revision),
    family: FAMILY,
    revision,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      { name: 'api', image, essential: true, portMappings: [{ containerPort: 8080 }] },
    ],
  };
}

const env = (url) => ({
  AWS_ENDPOINT_URL: url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
});

/** The calls that look at the deployment (not the failure report's), per minute from UpdateService on. */
const POLLS = new Set(['DescribeServices', 'DescribeServiceDeployments', 'ListServiceDeployments']);
function callsPerMinuteWhileWaiting(state, end) {
  const polls = state.calls.filter((call) => POLLS.has(call.target) && call.at >= state.updatedAt);
  const last = Math.max(...polls.map((call) => call.at), state.updatedAt + 1);
  return polls.length / ((Math.min(end, last) - state.updatedAt) / 60_000);
}

async function runOurs(scenario) {
  const ecs = await scriptedEcs(scenario);
  try {
    const result = await runAction(
      'deploy-ecs-service',
      { cluster: 'bench', service: 'bench-api', image: `${REPO}:v2`, 'timeout-minutes': '10' },
      { env: env(ecs.url), timeoutMs: 600_000 },
    );
    const end = Date.now();
    const expected = scenario === 'success' ? 0 : 1;
    if (result.exitCode !== expected)
      throw new Error(
        `deploy-ecs-service exited ${result.exitCode} in ${scenario}:\n${result.log}`,
      );
    return {
      afterFlip: (end - ecs.flipAt()) / 1000,
      perMinute: callsPerMinuteWhileWaiting(ecs.state, end),
    };
  } finally {
    await ecs.stop();
  }
}

async function runWaiter(scenario) {
  const ecs = await scriptedEcs(scenario);
  const client = new ECSClient({
    region: REGION,
    endpoint: ecs.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    await client.send(
      new UpdateServiceCommand({
        cluster: 'bench',
        service: 'bench-api',
        taskDefinition: arnOf(5),
      }),
    );
    let outcome = 'success';
    try {
      // The official action's settings: WAIT_DEFAULT_DELAY_SEC 15, wait-for-minutes 30, no maxDelay.
      await waitUntilServicesStable(
        { client, minDelay: 15, maxWaitTime: 30 * 60 },
        { cluster: 'bench', services: ['bench-api'] },
      );
      // ... then its check that the new deployment was not rolled back.
      const { services } = await client.send(
        new DescribeServicesCommand({ cluster: 'bench', services: ['bench-api'] }),
      );
      const deployment = services?.[0]?.deployments?.find((d) => d.id === 'ecs-svc/new');
      if (!deployment || deployment.rolloutState === 'FAILED') outcome = 'failure';
    } catch {
      outcome = 'failure';
    }
    const end = Date.now();
    const expected = scenario === 'success' ? 'success' : 'failure';
    if (outcome !== expected) throw new Error(`the waiter reported ${outcome} in ${scenario}`);
    return {
      afterFlip: (end - ecs.flipAt()) / 1000,
      perMinute: callsPerMinuteWhileWaiting(ecs.state, end),
    };
  } finally {
    client.destroy();
    await ecs.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

// BENCH_RUNS=0 measures the bundles only.
if (RUNS > 0) {
  console.log(
    `Deployment flips ${FLIP_S} s after UpdateService; a rollback settles ${ROLLBACK_SETTLE_S} s later. ${RUNS} runs each, median (min–max).\n`,
  );
  console.log(
    '| scenario | tool | seconds from flip to outcome | ECS calls per minute while waiting |',
  );
  console.log('|---|---|---:|---:|');
  for (const scenario of ['success', 'rollback']) {
    for (const [tool, runOne] of [
      ['deploy-ecs-service', runOurs],
      ['waitUntilServicesStable (official settings)', runWaiter],
    ]) {
      const results = [];
      for (let i = 0; i < RUNS; i++) results.push(await runOne(scenario));
      const after = results.map((r) => r.afterFlip);
      const rate = results.map((r) => r.perMinute);
      console.log(
        `| ${scenario === 'success' ? 'SUCCESSFUL' : 'circuit-breaker rollback'} | ${tool} | ${median(after).toFixed(1)} (${range(after)}) | ${median(rate).toFixed(1)} (${range(rate)}) |`,
      );
    }
  }
}

// ---- Bundle size and cold start beside the official action ----------------------------------

const MIRROR = '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo';
/** Cold start of several bundles, their runs interleaved so that a busy machine slows them alike. */
function coldStarts(bundles) {
  const times = bundles.map(() => []);
  for (let i = 0; i < 7; i++) {
    for (const [index, { bundle, cwd }] of bundles.entries()) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, [bundle], {
        cwd,
        env: { PATH: process.env.PATH, AWS_REGION: REGION, GITHUB_ACTIONS: 'true' },
        encoding: 'utf8',
      });
      times[index].push(Number(process.hrtime.bigint() - start) / 1e6);
      if (result.status === 0) throw new Error(`${bundle} succeeded without inputs`);
    }
  }
  return times.map((list) => {
    list.sort((a, b) => a - b);
    return `${list[3].toFixed(0)} (${list[0].toFixed(0)}–${list[6].toFixed(0)})`;
  });
}
const sizeOf = (dir) =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0);

const bundles = [
  {
    name: 'deploy-ecs-service',
    dir: path.join(REPO_ROOT, 'actions', 'deploy-ecs-service', 'dist'),
    cwd: REPO_ROOT,
  },
];
let rows;
const extracted = mkdtempSync(path.join(tmpdir(), 'official-ecs-deploy-'));
try {
  if (existsSync(MIRROR)) {
    // Read from the git mirror into a temporary folder; none of it enters this repository.
    const archive = spawnSync('git', ['--git-dir', MIRROR, 'archive', 'HEAD', 'dist'], {
      maxBuffer: 1 << 28,
    });
    spawnSync('tar', ['-x', '-C', extracted], { input: archive.stdout });
    const version = spawnSync('git', ['--git-dir', MIRROR, 'describe', '--tags', '--always'], {
      encoding: 'utf8',
    }).stdout.trim();
    bundles.push({
      name: `aws-actions/amazon-ecs-deploy-task-definition ${version}`,
      dir: path.join(extracted, 'dist'),
      cwd: extracted,
    });
  } else {
    console.log(`\n(${MIRROR} is missing: the official action's dist is not compared.)`);
  }
  const starts = coldStarts(
    bundles.map((b) => ({ bundle: path.join(b.dir, 'index.js'), cwd: b.cwd })),
  );
  rows = bundles.map((b, i) => [
    b.name,
    (statSync(path.join(b.dir, 'index.js')).size / 1e6).toFixed(2),
    (sizeOf(b.dir) / 1e6).toFixed(2),
    starts[i],
  ]);
} finally {
  rmSync(extracted, { recursive: true, force: true });
}
console.log(
  `\nBundle and cold start (node ${process.version}; until the failure on the first missing input; median of 7, interleaved (min–max))\n`,
);
console.log('| action | dist/index.js (MB) | all of dist/*.js (MB) | cold start, ms |');
console.log('|---|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
