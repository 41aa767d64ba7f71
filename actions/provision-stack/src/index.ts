import * as core from '@actions/core';
import { runMain } from '../../common/src/run-main.js';
await runMain(async () => { core.info('hello'); });
