/**
 * The start-of-run heal of the drift-trap invariant: ACTIVE revisions newer than the one the
 * service runs that an earlier run of this toolkit left behind (it tags each revision with the run
 * that registered it) are deregistered and listed, so a later stack update cannot roll the service
 * to them. The revision this run deploys and one this run registered are kept; one another tool
 * registered is never touched, only named in a warning.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '../../common/src/context.js';
import {
  activeRevisions,
  deregisterRevision,
  describeTaskDefinition,
  parseRevisionArn,
} from '../../common/src/ecs/task-definition.js';
import { errorMessage } from '../../common/src/errors.js';
import { type CandidateRevision, type HealPlan, planHeal, revisionName } from './plan.js';

export interface HealResult {
  plan: HealPlan;
  /** Deregistered, by ARN. */
  deregistered: string[];
  /** The family's newest ACTIVE revision after the heal, when it is newer than the live one. */
  newest?: CandidateRevision;
}

export async function healInvariant(options: {
  ecs: ECSClient;
  liveArn: string;
  requestedArn?: string;
  runTag: string;
  log: Logger;
  abortSignal?: AbortSignal;
}): Promise<HealResult> {
  const { ecs, log } = options;
  const live = parseRevisionArn(options.liveArn);
  if (!live) return { plan: { deregister: [], keep: [], foreign: [] }, deregistered: [] };
  const newerArns = (
    await activeRevisions({ ecs, family: live.family, abortSignal: options.abortSignal })
  ).filter((entry) => entry.revision > live.revision);
  const described = await Promise.all(
    newerArns.map(async (entry) => ({
      ...entry,
      ...(await describeTaskDefinition({
        ecs,
        taskDefinition: entry.arn,
        abortSignal: options.abortSignal,
      })),
    })),
  );
  const plan = planHeal({
    newer: described.map(({ arn, revision, tags }) => ({ arn, revision, tags })),
    requestedArn: options.requestedArn,
    runTag: options.runTag,
  });
  const deregistered: string[] = [];
  for (const leftover of plan.deregister) {
    try {
      await deregisterRevision({
        ecs,
        taskDefinitionArn: leftover.arn,
        abortSignal: options.abortSignal,
      });
      deregistered.push(leftover.arn);
    } catch (error) {
      log.warning(
        `Could not deregister ${revisionName(leftover.arn)}, left by an earlier run: ${errorMessage(error)}. Deregister it by hand (aws ecs deregister-task-definition --task-definition ${leftover.arn}).`,
        'Leftover revision kept',
      );
    }
  }
  if (deregistered.length > 0) {
    log.info(
      `Deregistered ${deregistered.map(revisionName).join(', ')}: newer than ${revisionName(options.liveArn)}, which the service runs, and left by an earlier run of this toolkit that did not go live (a stack update would have rolled the service to ${deregistered.length === 1 ? 'it' : 'them'}).`,
    );
  }
  for (const foreign of plan.foreign) {
    log.warning(
      `${revisionName(foreign.arn)} is newer than ${revisionName(options.liveArn)}, which the service runs, and was not registered by this toolkit, so it was left alone. A stack update of the service would roll it to ${revisionName(foreign.arn)}: deregister it if it should never run.`,
      'Newer revision from another tool',
    );
  }
  const remaining = described
    .filter((entry) => !deregistered.includes(entry.arn))
    .sort((a, b) => b.revision - a.revision)[0];
  return {
    plan,
    deregistered,
    ...(remaining
      ? {
          newest: {
            arn: remaining.arn,
            revision: remaining.revision,
            definition: remaining.taskDefinition,
            tags: remaining.tags,
          },
        }
      : {}),
  };
}
