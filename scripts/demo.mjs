#!/usr/bin/env node
// `npm run demo`: the pipeline on the embedded default. Starts the local AWS on 127.0.0.1, runs
// the bundled actions exactly as the Actions runner would, prints each action's job summary, and
// stops the local AWS. Exits non-zero when any step fails.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { REPO_ROOT, runAction } from '../test-support/action-runner.mjs';
import { startMoto } from '../test-support/moto-server.mjs';
import { summaryAsText } from './demo/summary-text.mjs';

const ENVIRONMENT = 'demo';
const ACCOUNT = '123456789012'; // moto's account
const STACK = `notes-${ENVIRONMENT}-app`;
const SITE_BUCKET = `notes-site-${ENVIRONMENT}-${ACCOUNT}`;
const FRONTEND = path.join(REPO_ROOT, 'example-app', 'frontend');

async function main() {
  const moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: 'us-east-1',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  console.log(`Local AWS (moto) on ${moto.url}\n`);
  const failures = [];
  try {
    for (const step of steps()) {
      const inputs = typeof step.inputs === 'function' ? await step.inputs() : step.inputs;
      console.log(`\n━━ ${step.title}\n   uses: ./actions/${step.action}`);
      for (const [name, value] of Object.entries(inputs))
        console.log(`   ${name}: ${String(value).replace(/\n/g, '\n      ')}`);
      const result = await runAction(step.action, inputs, { timeoutMs: 300_000 });
      for (const line of result.lines) {
        if (!line.startsWith('::')) console.log(`   │ ${line}`);
        else if (/^::(error|warning)/.test(line)) console.log(`   │ ${line}`);
      }
      console.log('\n   Job summary:');
      console.log(summaryAsText(result.summary).replace(/^/gm, '   '));
      const verdict = step.expect?.(result.outputs);
      if (result.exitCode !== 0 || verdict) {
        failures.push(`${step.title}: ${verdict ?? `exit code ${result.exitCode}`}`);
        console.log(`   ✗ ${verdict ?? `failed with exit code ${result.exitCode}`}`);
        break;
      }
      console.log(`   ✓ outputs: ${JSON.stringify(result.outputs)}`);
    }
  } finally {
    await moto.stop();
  }
  if (failures.length > 0) {
    console.error(`\nDemo failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log('\nDemo finished: every step passed; the local AWS is stopped.');
}

function steps() {
  // The same inputs a workflow step would pass for the app stack, twice.
  const stackInputs = {
    'stack-name': STACK,
    template: 'scripts/demo/stack.yaml',
    parameters: `EnvironmentName=${ENVIRONMENT}`,
    tags: `environment=${ENVIRONMENT}`,
  };
  const siteInputs = async (source) => ({
    source,
    bucket: SITE_BUCKET,
    'distribution-id': await createDistribution(),
  });
  return [
    {
      title: 'provision-stack: create the app stack through a change set',
      action: 'provision-stack',
      inputs: stackInputs,
      expect: (outputs) =>
        outputs.changed === 'true' ? undefined : 'expected the first run to change the stack',
    },
    {
      title: 'provision-stack again: the same stack, nothing to change',
      action: 'provision-stack',
      inputs: stackInputs,
      expect: (outputs) =>
        outputs.changed === 'false' ? undefined : 'expected "no changes" on the second run',
    },
    {
      title: 'publish-frontend: the example frontend to the site bucket',
      action: 'publish-frontend',
      inputs: () => siteInputs(buildFrontend()),
      expect: (outputs) =>
        Number(outputs.uploaded) > 0 ? undefined : 'expected the first publish to upload files',
    },
    {
      title: 'publish-frontend again: same build, nothing to upload',
      action: 'publish-frontend',
      inputs: () => siteInputs(buildFrontend()),
      expect: (outputs) =>
        outputs.uploaded === '0'
          ? undefined
          : `expected nothing to upload, uploaded ${outputs.uploaded}`,
    },
    {
      title: 'publish-frontend: a release that changes only index.html',
      action: 'publish-frontend',
      inputs: () => siteInputs(editedCopyOfFrontend()),
      expect: (outputs) =>
        outputs.uploaded === '1' && outputs['invalidation-id']
          ? undefined
          : `expected one upload and an invalidation, got ${outputs.uploaded} and "${outputs['invalidation-id']}"`,
    },
  ];
}

/** A copy of the built frontend whose index.html differs, as the next release's build would. */
function editedCopyOfFrontend() {
  const copy = mkdtempSync(path.join(tmpdir(), 'demo-release-'));
  cpSync(path.join(REPO_ROOT, buildFrontend()), copy, { recursive: true });
  const index = path.join(copy, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('</body>', '<!-- release 2 --></body>'));
  return copy;
}

/** Builds the example frontend once (vite) and returns its output folder. */
function buildFrontend() {
  const dist = path.join(FRONTEND, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build', '--workspace', 'example-app/frontend'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('Building the example frontend failed.');
  }
  return path.relative(REPO_ROOT, dist);
}

let distributionId;
/**
 * The edge stack's distribution. moto's CloudFormation cannot create a working CloudFront
 * distribution, so the demo creates the same origin set-up directly.
 */
async function createDistribution() {
  if (distributionId) return distributionId;
  const cloudfront = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL,
  });
  const { Distribution } = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `demo-${Date.now()}`,
        Comment: 'notes demo site',
        Enabled: true,
        DefaultRootObject: 'index.html',
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'site',
              DomainName: `${SITE_BUCKET}.s3.us-east-1.amazonaws.com`,
              S3OriginConfig: { OriginAccessIdentity: '' },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'site',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  distributionId = Distribution?.Id;
  return distributionId;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
