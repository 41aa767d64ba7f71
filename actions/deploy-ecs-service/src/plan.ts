/**
 * The decisions, as data: which leftover revisions to deregister at start (the drift-trap heal),
 * and whether to register a revision, deploy an existing one, or do nothing. Pure; main.ts
 * applies them.
 *
 * The invariant both keep (ARCHITECTURE.md, "Who owns what"): the service's family has no ACTIVE
 * revision newer than the one the service runs, except while a deploy is in flight. The app
 * stack names the task definition by family, so ECS resolves any stack update of the service to
 * the newest ACTIVE revision: whatever is newest must be what runs.
 */
import type { RegisterTaskDefinitionRequest, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { registeredByRun, sameDefinition } from '../../common/src/ecs/task-definition.js';

export interface NewerRevision {
  arn: string;
  revision: number;
  tags: Tag[];
}

export interface HealPlan {
  /** Left by an earlier run of this toolkit that did not go live: deregister. */
  deregister: NewerRevision[];
  /** Kept: the revision this run deploys, or one this very run registered (register-only). */
  keep: { revision: NewerRevision; why: string }[];
  /** Registered by another tool: never touched, named in a warning. */
  foreign: NewerRevision[];
}

export function planHeal(options: {
  /** ACTIVE revisions of the family newer than the one the service runs. */
  newer: NewerRevision[];
  /** The revision this run is asked to deploy (task-definition-arn), as an ARN. */
  requestedArn?: string;
  runTag: string;
}): HealPlan {
  const plan: HealPlan = { deregister: [], keep: [], foreign: [] };
  for (const revision of options.newer) {
    const by = registeredByRun(revision.tags);
    if (revision.arn === options.requestedArn) {
      plan.keep.push({ revision, why: 'it is the revision this run deploys' });
    } else if (by === options.runTag) {
      plan.keep.push({ revision, why: 'this run registered it (register-only) for this deploy' });
    } else if (by !== undefined) {
      plan.deregister.push(revision);
    } else {
      plan.foreign.push(revision);
    }
  }
  return plan;
}

export interface LiveRevision {
  arn: string;
  revision: number;
  definition: TaskDefinition;
  /** False when the service runs a revision that was deregistered since. */
  active: boolean;
}

export interface CandidateRevision {
  arn: string;
  revision: number;
  definition: TaskDefinition;
  tags: Tag[];
}

export type RevisionPlan =
  /** The service runs this content already: register nothing. */
  | { kind: 'unchanged'; arn: string; why: string }
  /** Deploy an existing revision, the family's newest ACTIVE one, as it is. */
  | { kind: 'existing'; arn: string; why: string }
  /** Register `request` as the family's newest revision and deploy that. */
  | { kind: 'register'; request: RegisterTaskDefinitionRequest; why: string };

/**
 * `derived`: the revision the inputs ask for (image path). `requested`: an existing revision to
 * deploy (task-definition-arn path), with `requestedRequest` its content ready to register anew.
 * `newest`: the family's newest ACTIVE revision after the heal (the live one when nothing is newer).
 */
export function planRevision(options: {
  live: LiveRevision;
  newest?: CandidateRevision;
  runTag: string;
  derived?: RegisterTaskDefinitionRequest;
  requested?: CandidateRevision;
  requestedRequest?: RegisterTaskDefinitionRequest;
}): RevisionPlan {
  const { live, newest, runTag } = options;
  const liveName = revisionName(live.arn);
  const liveIsNewest = live.active && (!newest || newest.revision <= live.revision);
  if (options.requested) {
    const requested = options.requested;
    const name = revisionName(requested.arn);
    if (requested.arn === live.arn && liveIsNewest) {
      return { kind: 'unchanged', arn: live.arn, why: `the service already runs ${name}` };
    }
    if (newest && requested.arn === newest.arn && requested.revision > live.revision) {
      return {
        kind: 'existing',
        arn: requested.arn,
        why: `${name} is the family's newest ACTIVE revision; deploying it as it is`,
      };
    }
    if (liveIsNewest && sameDefinition(requested.definition, live.definition)) {
      return {
        kind: 'unchanged',
        arn: live.arn,
        why: `${name} has the same content as ${liveName}, which the service runs`,
      };
    }
    const newer = newest && newest.revision > requested.revision ? newest : live;
    return {
      kind: 'register',
      request: options.requestedRequest as RegisterTaskDefinitionRequest,
      why:
        requested.definition.status === 'INACTIVE'
          ? `${name} is INACTIVE; its content is registered again as the family's newest revision, so that the newest ACTIVE revision is the one that runs`
          : `${name} is older than ${revisionName(newer.arn)}; its content is registered as the family's newest revision, so that the newest ACTIVE revision is the one that runs`,
    };
  }
  const derived = options.derived as RegisterTaskDefinitionRequest;
  if (sameDefinition(derived, live.definition)) {
    if (live.active) {
      return {
        kind: 'unchanged',
        arn: live.arn,
        why: `${liveName}, which the service runs, already has this image and environment`,
      };
    }
    return {
      kind: 'register',
      request: derived,
      why: `the service runs ${liveName}, which is INACTIVE (deregistered); its content is registered again as the newest ACTIVE revision`,
    };
  }
  if (
    newest &&
    newest.revision > live.revision &&
    registeredByRun(newest.tags) === runTag &&
    sameDefinition(derived, newest.definition)
  ) {
    return {
      kind: 'existing',
      arn: newest.arn,
      why: `${revisionName(newest.arn)}, registered earlier in this run, has this content; deploying it instead of registering a copy`,
    };
  }
  return { kind: 'register', request: derived, why: `a new revision of ${live.definition.family}` };
}

/** `api:7` from a task-definition ARN. */
export function revisionName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
