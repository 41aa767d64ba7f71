// Facts about the toolkit as a whole that no single action's tests would notice.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TOOLKIT_VERSION } from '../../actions/common/src/version.js';
import { REPO_ROOT } from '../../test-support/run-action.js';

const actions = readdirSync(path.join(REPO_ROOT, 'actions')).filter((name) => name !== 'common');

describe('the toolkit', () => {
  it('sends the version of package.json in its user agent', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(TOOLKIT_VERSION).toBe(pkg.version);
  });

  it.each(actions)(
    '%s declares node24, a committed ESM bundle and described kebab-case inputs',
    (name) => {
      const dir = path.join(REPO_ROOT, 'actions', name);
      const meta = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as {
        runs: { using: string; main: string };
        inputs?: Record<string, { description?: string }>;
        outputs?: Record<string, { description?: string }>;
      };
      expect(meta.runs).toMatchObject({ using: 'node24', main: 'dist/index.js' });
      expect(existsSync(path.join(dir, 'dist', 'index.js'))).toBe(true);
      expect(JSON.parse(readFileSync(path.join(dir, 'dist', 'package.json'), 'utf8'))).toEqual({
        type: 'module',
      });
      for (const [key, value] of Object.entries({ ...meta.inputs, ...meta.outputs })) {
        expect(key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(value.description?.length ?? 0).toBeGreaterThan(10);
      }
    },
  );

  it.each(actions)('%s reads only inputs that its action.yml declares', async (name) => {
    const dir = path.join(REPO_ROOT, 'actions', name);
    const meta = parse(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as {
      inputs?: Record<string, unknown>;
    };
    const declared = new Set(Object.keys(meta.inputs ?? {}));
    const source = readdirSync(path.join(dir, 'src'), { recursive: true })
      .filter((file) => String(file).endsWith('.ts'))
      .map((file) => readFileSync(path.join(dir, 'src', String(file)), 'utf8'))
      .join('\n');
    // Every typed-input read names its input as the first argument: a string, or a constant of
    // the action's table of input names (src/input-names.ts).
    const names = existsSync(path.join(dir, 'src', 'input-names.ts'))
      ? (
          (await import(`../../actions/${name}/src/input-names.js`)) as {
            INPUT: Record<string, string>;
          }
        ).INPUT
      : {};
    const read = [
      ...source.matchAll(
        /\.(?:string|matching|choice|boolean|integer|duration|list|map|keyValueLines|path|raw)\(\s*(?:'([a-z0-9-]+)'|INPUT\.(\w+))/g,
      ),
    ].map((match) => (match[1] ?? names[match[2] as string] ?? `INPUT.${match[2]}`) as string);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((input) => !declared.has(input))).toEqual([]);
  });
});
