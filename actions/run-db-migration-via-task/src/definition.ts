/** The action as runMain runs it: its inputs, its pipeline, and its post step. */
import type { ActionDefinition } from '../../common/src/context.js';
import { type MigrationInputs, readInputs } from './inputs.js';
import { ACTION, run } from './main.js';
import { post } from './post.js';

export const definition: ActionDefinition<MigrationInputs> = {
  name: ACTION,
  readInputs: (inputs) => readInputs(inputs),
  resource: (inputs) => `service ${inputs.service} in cluster ${inputs.cluster}`,
  run,
  post,
};
