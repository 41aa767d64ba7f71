import { runMain } from '../../common/src/run-main.js';
import { run } from './main.js';

await runMain((context) => run(context));
