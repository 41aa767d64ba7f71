/**
 * The entry contract, as every action's files must show it: src/index.ts is one line handing a
 * definition to runMain, and an action with a post step (definition.post) declares it in
 * action.yml the one way runMain supports — the same bundle run again, after failures and cancels
 * too (common/src/post-step.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionDefinition } from '../../actions/common/src/context.js';
import { actionMetadata, REPO_ROOT } from '../../test-support/run-action.js';

const actions = readdirSync(path.join(REPO_ROOT, 'actions')).filter((name) => name !== 'common');

/** The definition module index.ts imports, and the name it hands to runMain. */
function entry(name: string): { module: string; binding: string; lines: string[] } {
  const text = readFileSync(path.join(REPO_ROOT, 'actions', name, 'src', 'index.ts'), 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const imported = lines
    .map((line) => /^import \{ (\w+) \} from '(\.\/[\w./-]+\.js)';$/.exec(line))
    .find((match) => match && match[1] !== 'runMain');
  return { module: imported?.[2] ?? '', binding: imported?.[1] ?? '', lines };
}

describe.each(actions)('%s', (name) => {
  it('has an index.ts of one line: await runMain(definition)', () => {
    const { binding, lines } = entry(name);
    expect(lines).toEqual([
      "import { runMain } from '../../common/src/run-main.js';",
      expect.stringMatching(new RegExp(`^import \\{ ${binding} \\} from '\\./[\\w./-]+\\.js';$`)),
      `await runMain(${binding});`,
    ]);
  });

  it('declares a post step in action.yml exactly when its definition has one', async () => {
    const { module, binding } = entry(name);
    const loaded = (await import(`../../actions/${name}/src/${module.slice(2)}`)) as Record<
      string,
      ActionDefinition<{ timeoutMs: number }>
    >;
    const definition = loaded[binding] as ActionDefinition<{ timeoutMs: number }>;
    expect(definition.name).toBe(name);
    const { runs } = actionMetadata(name) as {
      runs: { main: string; post?: string; 'post-if'?: string };
    };
    if (definition.post) {
      // The same bundle: runMain tells the post step from the main step by the state it saved.
      expect(runs.post).toBe(runs.main);
      // A post step undoes what a failed or cancelled main step left running.
      expect(runs['post-if']).toBe('always()');
    } else {
      expect(runs.post).toBeUndefined();
      expect(runs['post-if']).toBeUndefined();
    }
  });
});
