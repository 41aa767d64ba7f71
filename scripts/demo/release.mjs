// One release, as deploy.yml's deploy job runs it: its steps in its order, the toolkit's actions
// run as the runner runs them (test-support/action-runner.mjs) with the inputs deploy.yml writes,
// `${{ }}` expressions evaluated against the earlier steps' outputs. The steps that need GitHub
// or Docker are done by the demo's own equivalent, or not at all, and each says which.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { runAction } from '../../test-support/action-runner.mjs';
import {
  DEPLOY_WORKFLOW,
  readWorkflow,
  toolkitActionOf,
} from '../../tests/support-workflows/deploy-steps.mjs';
import { conditionHolds, evaluateText } from '../../tests/support-workflows/expressions.mjs';
import { loadTemplate } from './cfn-template.mjs';
import { findImage, pushImage } from './image.mjs';
import { prepareForMoto } from './substitutes/engine.mjs';
import { COMPLETIONS, FALLBACK, HANDLERS } from './substitutes/handlers.mjs';
import { summaryAsText } from './summary-text.mjs';

/**
 * @typedef {{ outcome: 'success' | 'failure' | 'skipped', outputs: Record<string, string>, ms: number }} StepResult
 * @typedef {{
 *   number: number,
 *   commit: string,
 *   site: string,
 *   workspace: string,
 *   inputs: Record<string, string>,
 *   demo: any,
 *   motoTypes: Set<string>,
 *   stacks: Map<string, any>,
 *   backend: { build: () => void, buildDir: string, dockerfile: string, workdir: string },
 *   images: Map<string, any>,
 *   env: Record<string, string>,
 *   expect: Record<string, (outputs: Record<string, string>, log: string, changedParameters: string[]) => string | undefined>,
 *   substituteLog: string[],
 *   print: (line?: string) => void,
 *   afterStep?: (id: string, outputs: Record<string, string>) => Promise<void>,
 * }} ReleaseOptions
 */

/**
 * deploy.yml's deploy job as the demo runs it, step by step: the toolkit's actions as they are,
 * the demo's own equivalent of a step that needs GitHub or Docker, or not run, with the reason.
 * A step the demo does not know stops it, so a new step in deploy.yml cannot be skipped in silence.
 * @returns {{ id: string, title: string, step: any, kind: 'action' | 'equivalent' | 'not-run' }[]}
 */
export function releasePlan(/** @type {string} */ file = DEPLOY_WORKFLOW) {
  const job = readWorkflow(file).jobs.deploy;
  return (job.steps ?? []).map((step, index) => {
    const id = step.id ?? `step ${index}`;
    const title = step.name ?? id;
    if (toolkitActionOf(step.uses))
      return { id, title, step, kind: /** @type {const} */ ('action') };
    if (id in EQUIVALENTS) return { id, title, step, kind: /** @type {const} */ ('equivalent') };
    if (id in NOT_RUN) return { id, title, step, kind: /** @type {const} */ ('not-run') };
    throw new Error(
      `deploy.yml's deploy job has a step the demo does not know: ${title} (id ${id}); give it an equivalent or a reason not to run it in scripts/demo/release.mjs.`,
    );
  });
}

/** The deploy job's steps the demo does not run, and why. */
export const NOT_RUN = {
  toolkit: "it reads GitHub's job context or OIDC token; the toolkit here is this checkout",
  'checkout-app': 'the app is this checkout',
  'checkout-toolkit': 'the toolkit is this checkout: .three-tier-deploy links to it',
  'toolkit-check': 'it checks that checkout; the demo runs the bundles in actions/*/dist',
  credentials: "it needs GitHub's OIDC; the local AWS takes any credentials",
  'credentials-release': "it needs GitHub's OIDC; the local AWS takes any credentials",
  'ecr-login': 'a Docker registry login, and there is no Docker here',
  buildx: 'Docker, and there is no Docker here',
  summary: "GitHub's job summary of the whole job; the demo prints its own at the end",
};

/** @param {ReleaseOptions} options */
export async function runRelease(options) {
  const { print } = options;
  /** @type {Record<string, StepResult>} */
  const steps = {};
  const inputs = { ...options.inputs };
  const runId = `${Date.now()}`;
  const contexts = {
    inputs,
    steps,
    needs: { frontend: { outputs: { commit: options.commit }, result: 'success' } },
    github: { run_id: runId, run_attempt: '1', sha: options.commit, token: '' },
    vars: {},
    secrets: {},
  };
  const lookup = (/** @type {string[]} */ at) => {
    /** @type {any} */
    let value = contexts;
    for (const key of at) value = value && typeof value === 'object' ? value[key] : undefined;
    return value;
  };
  let failed = false;
  const functions = {
    success: () => !failed,
    failure: () => failed,
    always: () => true,
    cancelled: () => false,
  };
  const notRun = /** @type {string[]} */ ([]);
  const failures = /** @type {string[]} */ ([]);

  for (const { id, title, step, kind } of releasePlan()) {
    const condition = step.if === undefined ? 'success()' : String(step.if);
    if (kind === 'not-run') {
      notRun.push(`${title} (${NOT_RUN[id]})`);
      steps[id] = { outcome: 'success', outputs: {}, ms: 0 };
      continue;
    }
    if (!conditionHolds(condition, lookup, functions)) {
      steps[id] = { outcome: 'skipped', outputs: {}, ms: 0 };
      print(`\n── ${title}: skipped (if: ${condition})`);
      continue;
    }
    if (failed) break;
    const started = Date.now();
    try {
      if (kind === 'action') {
        const action = /** @type {string} */ (toolkitActionOf(step.uses));
        print(`\n━━ ${title}   (uses: ${step.uses}, deploy.yml step ${id})`);
        const outputs = await runToolkitStep({ options, id, action, step, lookup, functions });
        steps[id] = { outcome: 'success', outputs, ms: Date.now() - started };
        await options.afterStep?.(id, outputs);
      } else {
        const equivalent = EQUIVALENTS[id];
        print(`\n── ${title}   (deploy.yml step ${id}: ${equivalent.says})`);
        const outputs = await equivalent.run({ options, steps, lookup });
        const missing = equivalent.outputs.filter((name) => !(name in outputs));
        if (missing.length > 0) throw new Error(`the demo's ${id} gave no ${missing.join(', ')}`);
        steps[id] = { outcome: 'success', outputs, ms: Date.now() - started };
        for (const [name, value] of Object.entries(outputs)) print(`   ${name}=${value}`);
      }
    } catch (error) {
      failed = true;
      steps[id] = { outcome: 'failure', outputs: {}, ms: Date.now() - started };
      failures.push(`${title}: ${/** @type {Error} */ (error).message}`);
      print(`   ✗ ${/** @type {Error} */ (error).message}`);
    }
  }
  print(`\n   Not run on this machine: ${notRun.join('; ')}.`);
  return { steps, failures };
}

/**
 * @param {{ options: ReleaseOptions, id: string, action: string, step: any,
 *   lookup: (at: string[]) => unknown, functions: Record<string, () => boolean> }} args
 */
async function runToolkitStep({ options, id, action, step, lookup, functions }) {
  const { print } = options;
  /** @type {Record<string, string>} */
  const inputs = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([key, value]) => [
      key,
      evaluateText(String(value), lookup, functions),
    ]),
  );
  /** @type {(() => Promise<string[]>) | undefined} */
  let finish;
  /** Parameters of the stack that differ from the release before. */
  let changedParameters = /** @type {string[]} */ ([]);
  if (action === 'provision-stack') {
    const prepared = await templateForMoto({ options, inputs });
    inputs.template = prepared.template;
    finish = prepared.finish;
    changedParameters = prepared.changed;
  }
  for (const [name, value] of Object.entries(inputs))
    print(`   ${name}: ${String(value).trim().replace(/\n/g, '\n      ')}`);
  const result = await runAction(action, inputs, {
    cwd: options.workspace,
    timeoutMs: 300_000,
    env: {
      ...options.env,
      GITHUB_SHA: options.commit,
      GITHUB_RUN_ID: String(lookup(['github', 'run_id'])),
    },
    onLine: (line) => {
      if (!line.startsWith('::') || /^::(error|warning|notice)/.test(line)) print(`   │ ${line}`);
    },
  });
  print('\n   Job summary:');
  print(summaryAsText(result.summary).replace(/^/gm, '   '));
  if (result.exitCode !== 0) {
    const stderr = result.stderr
      .split('\n')
      .filter(
        (line) =>
          line.trim() &&
          !/NodeVersionSupportWarning|versions published|require node|To continue|security updates|More information|trace-warnings/.test(
            line,
          ),
      );
    for (const line of stderr.slice(-8)) print(`   stderr: ${line}`);
    throw new Error(`${action} failed with exit code ${result.exitCode}`);
  }
  if (finish) for (const line of await finish()) substitute(options, line);
  const verdict = options.expect[id]?.(result.outputs, result.log, changedParameters);
  if (verdict) throw new Error(verdict);
  print(
    `   ✓ outputs: ${Object.entries(result.outputs)
      .filter(([name]) => name !== 'outputs-json')
      .map(([name, value]) => `${name}=${value.length > 80 ? `${value.slice(0, 77)}…` : value}`)
      .join(', ')}`,
  );
  return result.outputs;
}

/** One substitute line, printed and kept for the list at the end. */
function substitute(/** @type {ReleaseOptions} */ options, /** @type {string} */ line) {
  options.print(`   ⤷ substitute: ${line}`);
  options.substituteLog.push(line);
}

/**
 * The template moto gets for a provision-stack step (written into the workspace), and what to
 * create after the stack. A second release reuses the first one's: same stack, same substitutes.
 * @param {{ options: ReleaseOptions, inputs: Record<string, string> }} args
 */
async function templateForMoto({ options, inputs }) {
  const file = path.basename(inputs.template);
  const parameters = parameterLines(inputs.parameters ?? '');
  const cached = options.stacks.get(inputs['stack-name']);
  const relative = path.join('.demo', `${path.basename(file, path.extname(file))}.moto.json`);
  if (cached && JSON.stringify(cached.parameters) === JSON.stringify(parameters)) {
    mkdirSync(path.join(options.workspace, '.demo'), { recursive: true });
    writeFileSync(path.join(options.workspace, relative), cached.text);
    options.print(
      `   template: ${inputs.template} → moto gets ${relative}, as in release 1 (its ${cached.count} substitutes are in place)`,
    );
    return { template: relative, finish: async () => [], changed: [] };
  }
  const template = loadTemplate(path.resolve(options.workspace, inputs.template));
  const prepared = await prepareForMoto({
    file,
    stackName: inputs['stack-name'],
    template,
    parameters,
    previous: cached?.substitutes,
    motoTypes: options.motoTypes,
    handlers: HANDLERS,
    fallback: FALLBACK,
    completions: COMPLETIONS,
    demo: options.demo,
  });
  const text = JSON.stringify(prepared.template);
  mkdirSync(path.join(options.workspace, '.demo'), { recursive: true });
  writeFileSync(path.join(options.workspace, relative), text);
  const changed = cached
    ? Object.keys({ ...cached.parameters, ...parameters }).filter(
        (key) => cached.parameters[key] !== parameters[key],
      )
    : [];
  if (cached) {
    options.print(
      `   template: ${inputs.template} → moto gets ${relative}, as in release 1 but for the parameters that changed (${changed.map((key) => `${key} ${cached.parameters[key]} → ${parameters[key]}`).join(', ')}):`,
    );
  } else {
    options.print(
      `   template: ${inputs.template} → moto gets ${relative}, the same template with:`,
    );
  }
  for (const line of prepared.lines) {
    // A later release names only what it changed; release 1's substitutes are in place.
    if (!cached || !cached.lines.includes(line)) substitute(options, line);
  }
  const entry = {
    parameters,
    text,
    count: prepared.lines.length,
    lines: prepared.lines,
    substitutes: prepared.substitutes,
  };
  options.stacks.set(inputs['stack-name'], entry);
  return {
    template: relative,
    changed,
    finish: async () => {
      const { StackResources = [] } = await options.demo.aws.cloudformation.send(
        new DescribeStackResourcesCommand({ StackName: inputs['stack-name'] }),
      );
      const stackResources = Object.fromEntries(
        StackResources.map((resource) => [
          resource.LogicalResourceId,
          { type: resource.ResourceType, physicalId: resource.PhysicalResourceId },
        ]),
      );
      const lines = await prepared.finish({ stackResources });
      entry.count += lines.length;
      return lines;
    },
  };
}

/** provision-stack's `Key=Value` lines (the last value of a key wins, as in the action). */
function parameterLines(/** @type {string} */ text) {
  /** @type {Record<string, string>} */
  const result = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (line && !line.startsWith('#') && eq > 0)
      result[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return result;
}

/** The edge.yaml lookup: the security group CloudFront makes for VPC origins in the app's VPC. */
async function vpcOriginGroup(
  /** @type {ReleaseOptions} */ options,
  /** @type {(at: string[]) => unknown} */ lookup,
) {
  const vpc = String(lookup(['steps', 'network', 'outputs', 'VpcId']));
  const { SecurityGroups = [] } = await options.demo.aws.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpc] },
        { Name: 'group-name', Values: ['CloudFront-VPCOrigins-Service-SG'] },
      ],
    }),
  );
  return SecurityGroups[0]?.GroupId ?? 'None';
}

/**
 * The demo's own equivalents of deploy.yml steps that need GitHub or Docker.
 * @type {Record<string, { outputs: string[], says: string, run: (args: { options: ReleaseOptions, steps: Record<string, StepResult>, lookup: (at: string[]) => unknown }) => Promise<Record<string, string>> }>}
 */
export const EQUIVALENTS = {
  settings: {
    outputs: ['region', 'deploy-role-arn', 'cloudformation-role-arn', 'aws-account-id'],
    says: "the demo's settings: the local AWS's region and placeholder roles (moto checks no role)",
    run: async ({ options }) => ({
      region: options.demo.region,
      'deploy-role-arn': `arn:aws:iam::${options.demo.account}:role/demo-deploy`,
      'cloudformation-role-arn': `arn:aws:iam::${options.demo.account}:role/demo-cloudformation`,
      'aws-account-id': '',
    }),
  },
  lookups: {
    outputs: ['cloudfront-prefix-list-id', 'database-deletion-protection'],
    says: 'the same two lookups in the local AWS, through the SDK (ec2 DescribeManagedPrefixLists, cloudformation DescribeStacks)',
    run: async ({ options, lookup }) => {
      const { PrefixLists = [] } = await options.demo.aws.ec2.send(
        new DescribeManagedPrefixListsCommand({
          Filters: [
            { Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] },
          ],
        }),
      );
      const prefixList = /^pl-[0-9a-f]+$/.test(PrefixLists[0]?.PrefixListId ?? '')
        ? String(PrefixLists[0]?.PrefixListId)
        : '';
      let status = 'NONE';
      try {
        const { Stacks = [] } = await options.demo.aws.cloudformation.send(
          new DescribeStacksCommand({ StackName: `${lookup(['inputs', 'stack-prefix'])}-data` }),
        );
        status = Stacks[0]?.StackStatus ?? 'NONE';
      } catch (error) {
        if (!/does not exist/.test(/** @type {Error} */ (error).message)) throw error;
      }
      const firstCreate =
        /^(NONE|REVIEW_IN_PROGRESS|CREATE_IN_PROGRESS|CREATE_FAILED|ROLLBACK_.*)$/.test(status);
      return {
        'cloudfront-prefix-list-id': prefixList,
        'database-deletion-protection': firstCreate ? 'false' : 'true',
      };
    },
  },
  'vpc-origin': {
    outputs: ['security-group-id'],
    says: 'the same security-group lookup in the local AWS, through the SDK (ec2 DescribeSecurityGroups)',
    run: async ({ options, lookup }) => ({
      'security-group-id': await vpcOriginGroup(options, lookup),
    }),
  },
  image: {
    outputs: ['exists', 'digest', 'tag', 'uri'],
    says: "the same DescribeImages lookup of the commit's tag, in the local ECR",
    run: async ({ options, lookup }) => {
      const found = await findImage({
        ecr: options.demo.aws.ecr,
        repositoryName: String(lookup(['steps', 'app', 'outputs', 'RepositoryName'])),
        repositoryUri: String(lookup(['steps', 'app', 'outputs', 'RepositoryUri'])),
        tag: options.commit,
      });
      options.print(
        found.exists
          ? `   ECR has ${found.uri} (${found.digest}): no build.`
          : `   ECR has no image tagged ${options.commit} yet: building it.`,
      );
      return { exists: String(found.exists), digest: found.digest, tag: found.tag, uri: found.uri };
    },
  },
  build: {
    outputs: ['digest', 'imageid'],
    says: "no Docker here: the backend compiled on this machine, and its image manifest put into the local ECR under the commit's tag (ecr PutImage)",
    run: async ({ options, lookup }) => {
      options.backend.build();
      const tag = String(lookup(['steps', 'image', 'outputs', 'tag']));
      const pushed = await pushImage({
        ecr: options.demo.aws.ecr,
        repositoryName: String(lookup(['steps', 'app', 'outputs', 'RepositoryName'])),
        tag,
        dockerfile: options.backend.dockerfile,
        build: options.backend.buildDir,
      });
      const repository = String(lookup(['steps', 'app', 'outputs', 'RepositoryUri']));
      const local = { ...pushed.runtime, workdir: options.backend.workdir, commit: tag };
      options.images.set(`${repository}@${pushed.digest}`, local);
      options.images.set(`${repository}:${tag}`, local);
      options.print(
        `   image manifest (config: ENV ${Object.keys(pushed.runtime.env).join(', ')}, WORKDIR ${pushed.runtime.workdir}, CMD ${JSON.stringify(pushed.runtime.cmd)}) → ${repository}:${tag}, ${pushed.digest}`,
      );
      return { digest: pushed.digest, imageid: pushed.digest };
    },
  },
  site: {
    outputs: ['download-path'],
    says: 'the site the frontend build made, copied into the workspace where download-artifact puts it',
    run: async ({ options }) => {
      const target = path.join(options.workspace, '.three-tier-deploy-site');
      rmSync(target, { recursive: true, force: true });
      cpSync(options.site, target, { recursive: true });
      return { 'download-path': target };
    },
  },
};
