/**
 * A failed migration's revision must not go live. When the migration ran a revision this run
 * registered (deploy-ecs-service's register-only) that the service does not run, a failure
 * deregisters it, so the family's newest ACTIVE revision is again the one the service runs and
 * no later stack update rolls the service to an image whose migration failed (the drift-trap
 * invariant, ARCHITECTURE.md). The words say what the service still runs either way.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../common/src/errors.js';
import { deregisterRevision } from '../../common/src/ecs/task-definition.js';
import type { MigrationPlan } from './prepare.js';

export interface Withdrawal {
  /** True when DeregisterTaskDefinition was called and succeeded. */
  deregistered: boolean;
  /** One or two sentences for the failure annotation; empty when the service runs this revision. */
  note: string;
}

export type RevisionFacts = Pick<MigrationPlan, 'revision' | 'registeredHere' | 'live'> & {
  serviceName: string;
  taskDefinitionArn: string;
  image?: string;
};

export async function withdrawRevision(options: {
  ecs: ECSClient;
  facts: RevisionFacts;
  deregisterOnFailure: boolean;
}): Promise<Withdrawal> {
  const { facts } = options;
  const stillRuns = facts.live
    ? `Service ${facts.serviceName} still runs ${facts.live.revision}${facts.live.image ? ` (image ${facts.live.image})` : ''}: revision ${facts.revision}${facts.image ? ` (image ${facts.image})` : ''} did not go live.`
    : '';
  if (!facts.live) return { deregistered: false, note: '' };
  if (!facts.registeredHere) {
    return {
      deregistered: false,
      note: `${stillRuns} This run did not register ${facts.revision}, so it was left as it is.`,
    };
  }
  if (!options.deregisterOnFailure) {
    return {
      deregistered: false,
      note: `${stillRuns} deregister-on-failure is false, so ${facts.revision} stays ACTIVE as the family's newest revision: a stack update of the service would roll it out (deploy-ecs-service deregisters such leftovers at its next start).`,
    };
  }
  try {
    await deregisterRevision({
      ecs: options.ecs,
      taskDefinitionArn: facts.taskDefinitionArn,
      abortSignal: AbortSignal.timeout(4_000),
    });
    return {
      deregistered: true,
      note: `${stillRuns} ${facts.revision} was deregistered, so the family's newest ACTIVE revision is again the one the service runs.`,
    };
  } catch (error) {
    return {
      deregistered: false,
      note: `${stillRuns} Deregistering ${facts.revision} failed (${errorMessage(error)}): deregister it by hand (aws ecs deregister-task-definition --task-definition ${facts.taskDefinitionArn}), or deploy-ecs-service will at its next start.`,
    };
  }
}
