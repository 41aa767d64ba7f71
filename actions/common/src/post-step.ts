/**
 * What a main step hands its post step. The mechanism is runMain's (it runs `definition.post`
 * when the runner runs the bundle again, action.yml `post: dist/index.js`); this module is the
 * typed side of the state in between: values saved as JSON through `context.state` (the runner's
 * GITHUB_STATE, STATE_<name> in the post step) and read back checked, so a post step never acts
 * on a half-written or foreign value.
 *
 * action.yml of an action with a post step:
 *   runs:
 *     using: node24
 *     main: dist/index.js
 *     post: dist/index.js
 *     post-if: always()     # also after a failed or cancelled main step: that is when it matters
 * (tests/static/action-metadata.test.ts holds every action to it.)
 */
import type { StepState } from './context.js';

/** Saves `value` for the post step. Save as soon as the thing exists, before waiting on it. */
export function saveForPost<T>(state: StepState, name: string, value: T): void {
  state.save(name, JSON.stringify(value));
}

/**
 * What the main step saved under `name`, when it is there and `isShape` accepts it; undefined
 * when the main step never got that far (nothing to undo) or the value is not what was saved.
 */
export function savedForPost<T>(
  state: StepState,
  name: string,
  isShape: (value: unknown) => value is T,
): T | undefined {
  const text = state.get(name);
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isShape(value) ? value : undefined;
}
