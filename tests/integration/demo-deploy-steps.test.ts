// The demo runs deploy.yml's deploy job: the same actions, in the same order, with the inputs
// deploy.yml writes (scripts/demo/release.mjs reads them from deploy.yml itself). This keeps the
// two in step when deploy.yml changes: every step is one the demo runs, has an equivalent for,
// or names a reason not to run; and the demo's equivalents give every output later steps read.
import { describe, expect, it } from '@jest/globals';
import {
  DEPLOY_WORKFLOW,
  deploySteps,
  readWorkflow,
} from '../../tests/support-workflows/deploy-steps.mjs';
import { referencesInText } from '../../tests/support-workflows/expressions.mjs';
import { EQUIVALENTS, NOT_RUN, releasePlan } from '../../scripts/demo/release.mjs';

const job = readWorkflow(DEPLOY_WORKFLOW).jobs.deploy!;
const plan = releasePlan();

/** Every `steps.<id>.outputs.<name>` a step reads, in its with:, env: and if:. */
function outputsRead(step: Record<string, unknown>): { id: string; name: string }[] {
  const texts = [
    ...Object.values((step.with ?? {}) as Record<string, unknown>),
    ...Object.values((step.env ?? {}) as Record<string, unknown>),
    step.if === undefined ? '' : `\${{ ${String(step.if)} }}`,
  ].map(String);
  return texts
    .flatMap((text) => referencesInText(text))
    .map((reference) => /^steps\.([^.]+)\.outputs\.([^.]+)$/.exec(reference))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ id: match[1]!, name: match[2]! }));
}

describe("the demo and deploy.yml's deploy job", () => {
  it("runs deploy.yml's toolkit steps, in deploy.yml's order, with its inputs", () => {
    const demo = plan
      .filter((entry) => entry.kind === 'action')
      .map((entry) => ({ id: entry.id, uses: entry.step.uses, with: entry.step.with }));
    const workflow = deploySteps()
      .filter((step) => step.job === 'deploy')
      .map((step) => ({ id: step.id, uses: step.uses, with: step.with }));
    expect(demo.map((step) => step.id)).toEqual(workflow.map((step) => step.id));
    for (const [index, step] of demo.entries()) {
      expect(step.uses).toBe(workflow[index]!.uses);
      expect(
        Object.fromEntries(
          Object.entries(step.with ?? {}).map(([key, value]) => [key, String(value)]),
        ),
      ).toEqual(workflow[index]!.with);
    }
    // The four stacks, register, migrate, roll, publish: the release the demo shows.
    expect(demo.map((step) => step.id)).toEqual([
      'network',
      'data',
      'app',
      'edge',
      'register',
      'migrate',
      'deploy',
      'publish',
    ]);
  });

  it('knows every other step: an equivalent, or a reason not to run it, for steps deploy.yml has', () => {
    expect(plan.length).toBe((job.steps ?? []).length);
    const ids = (job.steps ?? []).map((step) => step.id);
    for (const id of Object.keys(NOT_RUN)) expect(ids).toContain(id);
    for (const entry of plan.filter((step) => step.kind === 'equivalent'))
      expect(Object.keys(EQUIVALENTS)).toContain(entry.id);
  });

  it("gives every output that the steps it runs read from its equivalents' steps", () => {
    const kinds = new Map(plan.map((entry) => [entry.id, entry.kind]));
    for (const entry of plan.filter((step) => step.kind !== 'not-run')) {
      for (const read of outputsRead(entry.step)) {
        const kind = kinds.get(read.id);
        expect({ step: entry.id, reads: `${read.id}.${read.name}`, from: kind }).not.toEqual(
          expect.objectContaining({ from: 'not-run' }),
        );
        if (kind === 'equivalent')
          expect({
            step: entry.id,
            reads: `${read.id}.${read.name}`,
            declared: EQUIVALENTS[read.id]!.outputs,
          }).toEqual(expect.objectContaining({ declared: expect.arrayContaining([read.name]) }));
      }
    }
  });
});
