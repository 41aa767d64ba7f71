/**
 * The entry point every action shares: run the action's pipeline, and on any failure report it
 * once, as one titled annotation plus a failure section in the job summary, and fail the step.
 */
import * as core from '@actions/core';
import { describeError } from './errors.js';
import { addFailure, writeSummary } from './summary.js';

export interface MainContext {
  /** What the action is working on, named in AWS errors that do not name it themselves. */
  resource?: string;
}

export async function runMain(main: (context: MainContext) => Promise<void>): Promise<void> {
  const context: MainContext = {};
  try {
    await main(context);
  } catch (error) {
    const report = describeError(error, context.resource);
    core.error(report.hint ? `${report.message}\nFix: ${report.hint}` : report.message, {
      title: report.title,
    });
    try {
      addFailure(report);
      await writeSummary();
    } catch (summaryError) {
      core.warning(`Could not write the job summary: ${(summaryError as Error).message}`);
    }
    process.exitCode = 1;
  }
}
