import { runMain } from '../../common/src/run-main.js';
import { definition } from './main.js';

await runMain(definition);
