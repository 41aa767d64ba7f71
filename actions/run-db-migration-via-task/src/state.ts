/**
 * What the main step hands to its post step (GITHUB_STATE): the task it started, where, and the
 * revision to withdraw if the main step could not finish; `settled` once the main step dealt with
 * the task's end itself, so the post step has nothing to do.
 */
export const STATE = {
  taskArn: 'task-arn',
  cluster: 'cluster',
  /** JSON of revision.ts RevisionFacts, saved only for a revision this run registered. */
  revision: 'revision',
  /** `true` once the main step saw the task's end (or stopped it) and withdrew the revision. */
  settled: 'settled',
} as const;
