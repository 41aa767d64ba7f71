/** The pure decisions: the start-of-run heal and the revision plan. */
import { describe, expect, it } from '@jest/globals';
import { REVISION_TAGS, registrableFields } from '../../common/src/ecs/task-definition.js';
import { planHeal, planRevision } from '../src/plan.js';
import { arnOf, bootstrapDefinition, REGISTRY } from './fake-aws.js';

const RUN = 'o/r/9/1';
const tagged = (run: string) => [{ key: REVISION_TAGS.run, value: run }];
const live = { arn: arnOf(5), revision: 5, definition: bootstrapDefinition(5), active: true };
const withImage = (revision: number, image: string) => bootstrapDefinition(revision, image);

describe('planHeal', () => {
  it('deregisters earlier runs’ leftovers, keeps this run’s and the requested one, warns about others', () => {
    const plan = planHeal({
      newer: [
        { arn: arnOf(6), revision: 6, tags: tagged('o/r/8/1') },
        { arn: arnOf(7), revision: 7, tags: tagged('o/r/9/0') },
        { arn: arnOf(8), revision: 8, tags: [] },
        { arn: arnOf(9), revision: 9, tags: tagged(RUN) },
        { arn: arnOf(10), revision: 10, tags: tagged('o/r/1/1') },
      ],
      requestedArn: arnOf(10),
      runTag: RUN,
    });
    expect(plan.deregister.map((r) => r.revision)).toEqual([6, 7]);
    expect(plan.foreign.map((r) => r.revision)).toEqual([8]);
    expect(plan.keep.map((k) => k.revision.revision)).toEqual([9, 10]);
  });
});

describe('planRevision, image path', () => {
  it('unchanged when the derived content is what runs', () => {
    const derived = registrableFields(bootstrapDefinition(5), [
      { key: 'x', value: 'different tags do not count' },
    ]);
    expect(planRevision({ live, runTag: RUN, derived }).kind).toBe('unchanged');
  });

  it('register when the image differs, also when it equals an older revision (a rollback)', () => {
    const derived = registrableFields(withImage(5, `${REGISTRY}/api:v0`));
    expect(planRevision({ live, runTag: RUN, derived }).kind).toBe('register');
  });

  it('reuses the newest revision this run registered when it has the same content', () => {
    const newest = {
      arn: arnOf(6),
      revision: 6,
      definition: withImage(6, `${REGISTRY}/api:v2`),
      tags: tagged(RUN),
    };
    const derived = registrableFields(withImage(5, `${REGISTRY}/api:v2`));
    expect(planRevision({ live, newest, runTag: RUN, derived })).toMatchObject({
      kind: 'existing',
      arn: arnOf(6),
    });
    // Another content: a new revision, not the run's earlier one.
    const other = registrableFields(withImage(5, `${REGISTRY}/api:v3`));
    expect(planRevision({ live, newest, runTag: RUN, derived: other }).kind).toBe('register');
  });

  it('registers the live content again when the live revision is INACTIVE', () => {
    const derived = registrableFields(bootstrapDefinition(5));
    expect(planRevision({ live: { ...live, active: false }, runTag: RUN, derived }).kind).toBe(
      'register',
    );
  });
});

describe('planRevision, task-definition-arn path', () => {
  const candidate = (revision: number, image: string, tags = tagged(RUN)) => ({
    arn: arnOf(revision),
    revision,
    definition: withImage(revision, image),
    tags,
  });

  it('unchanged for the live revision', () => {
    const requested = { ...candidate(5, `${REGISTRY}/api:v1`), definition: live.definition };
    expect(
      planRevision({
        live,
        runTag: RUN,
        requested,
        requestedRequest: registrableFields(requested.definition),
      }).kind,
    ).toBe('unchanged');
  });

  it('existing for the newest ACTIVE revision', () => {
    const requested = candidate(6, `${REGISTRY}/api:v2`);
    expect(
      planRevision({
        live,
        newest: requested,
        runTag: RUN,
        requested,
        requestedRequest: registrableFields(requested.definition),
      }).kind,
    ).toBe('existing');
  });

  it('register for an older revision, and for one older than a newer ACTIVE one', () => {
    const old = candidate(3, `${REGISTRY}/api:v0`, []);
    const plan = planRevision({
      live,
      runTag: RUN,
      requested: old,
      requestedRequest: registrableFields(old.definition),
    });
    expect(plan).toMatchObject({ kind: 'register' });
    expect(plan.why).toContain('prod-api:3 is older than prod-api:5');
  });

  it('unchanged for an older revision with the content that runs', () => {
    const same = { ...candidate(3, `${REGISTRY}/api:v1`, []) };
    expect(
      planRevision({
        live,
        runTag: RUN,
        requested: same,
        requestedRequest: registrableFields(same.definition),
      }).kind,
    ).toBe('unchanged');
  });
});
