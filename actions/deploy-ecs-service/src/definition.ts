/** The action as runMain runs it: its inputs and its pipeline (no post step: nothing outlives it but the deployment, which ECS owns). */
import type { ActionDefinition } from '../../common/src/context.js';
import { type DeployInputs, readInputs } from './inputs.js';
import { ACTION, run } from './main.js';

export const definition: ActionDefinition<DeployInputs> = {
  name: ACTION,
  readInputs: (inputs) => readInputs(inputs),
  resource: (inputs) => `service ${inputs.service} in cluster ${inputs.cluster}`,
  run: (context) => run(context),
};
