// AWS Control Tower's proactive controls (cfn-guard rules for s3, cloudfront, elasticloadbalancing,
// ecs, ecr, rds and ec2) against every template: each rule passes, does not apply, or is suppressed
// on the failing resource with a one-line reason. The counts are in the test names and printed once.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  cfnGuardBinary,
  controlTowerIds,
  declaredSuppressions,
  evaluate,
  type GuardReport,
  runCfnGuard,
} from '../support-cfn/cfn-guard.js';
import {
  loadTemplate,
  parseTemplate,
  templateNames,
  templatePath,
} from '../support-cfn/templates.js';

const ids = controlTowerIds();
// Run once at load time so the test names can carry the counts.
const reports = Object.fromEntries(
  templateNames.map((name) => {
    const [report] = runCfnGuard([templatePath(name)]);
    if (!report) throw new Error(`cfn-guard returned no report for ${name}`);
    return [name, evaluate(loadTemplate(name), report, ids)];
  }),
) as Record<(typeof templateNames)[number], GuardReport>;

const total = { pass: 0, 'not-applicable': 0, suppressed: 0, fail: 0 };
for (const report of Object.values(reports)) {
  for (const [outcome, count] of Object.entries(report.counts))
    total[outcome as keyof typeof total] += count;
}
const line = (counts: typeof total) =>
  `${counts.pass} pass, ${counts.suppressed} suppressed, ${counts.fail} fail, ${counts['not-applicable']} not applicable`;

describe('cfn-guard with the Control Tower rules', () => {
  it('runs the bundled cfn-guard 3 binary and loads the rules', () => {
    expect(existsSync(cfnGuardBinary)).toBe(true);
    expect(ids.size).toBeGreaterThanOrEqual(100);
  });

  it('catches a violation and does not let an unreasoned suppression hide it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfn-guard-'));
    try {
      const bare = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n';
      const file = path.join(dir, 'bare.yaml');
      writeFileSync(file, bare);
      const [report] = runCfnGuard([file], ['s3']);
      const bucketRules = controlTowerIds(['s3']);
      const plain = evaluate(parseTemplate(bare), report!, bucketRules);
      expect(plain.results.find((result) => result.id === 'CT.S3.PR.1')).toMatchObject({
        outcome: 'fail',
        unsuppressed: ['Bucket'],
      });

      const withoutReason = parseTemplate(
        `${bare}    Metadata:\n      guard:\n        SuppressedRules: [CT.S3.PR.1]\n`,
      );
      expect(
        evaluate(withoutReason, report!, bucketRules).results.find((r) => r.id === 'CT.S3.PR.1')
          ?.outcome,
      ).toBe('fail');

      const withReason = parseTemplate(
        `${bare}    Metadata:\n      guard:\n        SuppressedRules: [CT.S3.PR.1]\n        SuppressionReasons:\n          CT.S3.PR.1: test\n`,
      );
      expect(
        evaluate(withReason, report!, bucketRules).results.find((r) => r.id === 'CT.S3.PR.1')
          ?.outcome,
      ).toBe('suppressed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(templateNames)('%s.yaml', (name) => {
    const report = reports[name];

    it(`every rule passes or is suppressed with a reason (${line(report.counts)})`, () => {
      const failures = report.results
        .filter((result) => result.outcome === 'fail')
        .map((result) => `${result.id} on ${result.unsuppressed.join(', ')}`);
      expect(failures).toEqual([]);
    });

    it('suppresses only rules that fail there, each with a one-line reason', () => {
      const needed = new Set(
        report.results
          .filter((r) => r.outcome === 'suppressed')
          .flatMap((r) => r.resources.map((id) => `${id} ${r.id}`)),
      );
      for (const { logicalId, id, reason } of declaredSuppressions(loadTemplate(name))) {
        expect({
          suppression: `${logicalId} ${id}`,
          needed: needed.has(`${logicalId} ${id}`),
        }).toEqual({
          suppression: `${logicalId} ${id}`,
          needed: true,
        });
        expect(typeof reason).toBe('string');
        expect(String(reason)).toMatch(/^[^\n]{20,250}$/);
      }
    });
  });

  it(`all templates together: ${line(total)}`, () => {
    expect(total.fail).toBe(0);
    expect(total.pass).toBeGreaterThan(0);
  });

  afterAll(() => {
    const rows = templateNames.map((name) => ({
      template: `${name}.yaml`,
      ...reports[name].counts,
    }));
    rows.push({ template: 'total', ...total });
    const suppressed = templateNames.flatMap((name) =>
      reports[name].results
        .filter((r) => r.outcome === 'suppressed')
        .map((r) => `${name}: ${r.id} (${r.resources.join(', ')})`),
    );
    console.log(
      [
        'Control Tower rules (cfn-guard):',
        ...rows.map((row) => `  ${row.template.padEnd(18)} ${line(row)}`),
        'Suppressed:',
        ...suppressed.map((entry) => `  ${entry}`),
      ].join('\n'),
    );
  });
});
