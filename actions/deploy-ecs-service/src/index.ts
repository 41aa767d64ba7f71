import { runMain } from '../../common/src/run-main.js';
import { definition } from './definition.js';

await runMain(definition);
