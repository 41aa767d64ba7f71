/**
 * The code's fallbacks and action.yml's `default:` must say the same: on a runner the default
 * arrives as the input's value (test-support/action-runner.mjs passes it the same way), while a
 * caller of readInputs that gives nothing gets the code's fallback. Each action names its inputs
 * once, in src/input-names.ts (as actions/cache's constants.ts does); this holds that table to
 * action.yml and every fallback to its default.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Inputs } from '../../actions/common/src/inputs.js';
import { actionMetadata, inputsWithDefaults, REPO_ROOT } from '../../test-support/run-action.js';

type Reader = (inputs: Inputs, env: NodeJS.ProcessEnv) => unknown;

/** Per action: its reader, the values its required inputs need, and where relative paths start. */
const READERS: Record<
  string,
  () => Promise<{ read: Reader; required: Record<string, string>; baseDir: string }>
> = {
  'provision-stack': async () => ({
    read: (await import('../../actions/provision-stack/src/main.js')).definition.readInputs,
    required: { template: 'app.yaml', 'stack-name': 'app' },
    baseDir: path.join(REPO_ROOT, 'actions/provision-stack/test/fixtures'),
  }),
  'publish-frontend': async () => ({
    read: (await import('../../actions/publish-frontend/src/main.js')).definition.readInputs,
    required: { source: mkdtempSync(path.join(tmpdir(), 'site-')), bucket: 'my-site' },
    baseDir: '/',
  }),
  'deploy-ecs-service': async () => ({
    read: (await import('../../actions/deploy-ecs-service/src/definition.js')).definition
      .readInputs,
    required: { cluster: 'prod', service: 'prod-api', image: 'public.ecr.aws/nginx/nginx:1' },
    baseDir: '/',
  }),
};

const withNames = readdirSync(path.join(REPO_ROOT, 'actions')).filter((name) =>
  existsSync(path.join(REPO_ROOT, 'actions', name, 'src', 'input-names.ts')),
);

describe.each(withNames)('%s', (name) => {
  it('names in src/input-names.ts exactly the inputs action.yml declares', async () => {
    const { INPUT } = (await import(`../../actions/${name}/src/input-names.js`)) as {
      INPUT: Record<string, string>;
    };
    expect(Object.values(INPUT).sort()).toEqual(Object.keys(actionMetadata(name).inputs).sort());
  });

  const reader = name in READERS ? READERS[name] : undefined;
  (reader !== undefined ? it : it.skip)(
    'falls back, for every input left empty, to its action.yml default',
    async () => {
      const { read, required, baseDir } = await (reader as NonNullable<typeof reader>)();
      const env = { AWS_REGION: 'eu-west-1' };
      const readWith = (values: Record<string, string>) =>
        read(new Inputs((input) => values[input] ?? '', baseDir), env);
      const defaults = inputsWithDefaults(name, required);
      const asOnARunner = readWith(defaults);
      expect(readWith(required)).toEqual(asOnARunner);
      // One input at a time, so that a mismatch names its input.
      for (const input of Object.keys(defaults)) {
        if (input in required || defaults[input] === '') continue;
        const { [input]: _left, ...others } = defaults;
        expect({ input, read: readWith(others) }).toEqual({ input, read: asOnARunner });
      }
    },
  );
});
