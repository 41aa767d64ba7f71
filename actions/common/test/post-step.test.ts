import { describe, expect, it } from '@jest/globals';
import { saveForPost, savedForPost } from '../src/post-step.js';
import { testContext } from '../../../test-support/action-context.js';

interface StartedTask {
  cluster: string;
  taskArn: string;
}
const isStartedTask = (value: unknown): value is StartedTask =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as StartedTask).cluster === 'string' &&
  typeof (value as StartedTask).taskArn === 'string';

describe('state for the post step', () => {
  it('hands a value from the main step to the post step through the step state', () => {
    const main = testContext({ timeoutMs: 1000 });
    const task = { cluster: 'app', taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/app/1' };
    saveForPost(main.state, 'task', task);
    const post = testContext({ timeoutMs: 1000 }, { state: main.state.saved });
    expect(savedForPost(post.state, 'task', isStartedTask)).toEqual(task);
  });

  it('reads nothing when the main step saved nothing, or something of another shape', () => {
    const context = testContext({ timeoutMs: 1000 });
    expect(savedForPost(context.state, 'task', isStartedTask)).toBeUndefined();
    context.state.save('task', '{"cluster": "app"}');
    expect(savedForPost(context.state, 'task', isStartedTask)).toBeUndefined();
    context.state.save('task', '{not json');
    expect(savedForPost(context.state, 'task', isStartedTask)).toBeUndefined();
  });
});
