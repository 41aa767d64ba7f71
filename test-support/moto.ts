/** Helpers to steer the local AWS from tests: which server, reset, and state transitions. */

/** This worker's moto server (set up by moto-global-setup). */
export function motoUrl(): string {
  const urls = (process.env.MOTO_URLS ?? '').split(',').filter(Boolean);
  if (urls.length === 0)
    throw new Error('No moto server: run integration tests through the Jest integration project.');
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return urls[(worker - 1) % urls.length] as string;
}

async function post(path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${motoUrl()}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`moto ${path} answered ${response.status}: ${await response.text()}`);
}

/** Forgets every resource in every service. */
export function resetMoto(): Promise<void> {
  return post('/moto-api/reset');
}

/**
 * Sets how a model in moto advances through its states, e.g.
 * `setTransition('ecs::task', { progression: 'manual', times: 1 })` or
 * `setTransition('cloudfront::distribution', { progression: 'immediate' })`.
 */
export function setTransition(
  modelName: string,
  transition:
    | { progression: 'immediate' }
    | { progression: 'manual'; times: number }
    | { progression: 'time'; seconds: number },
): Promise<void> {
  return post('/moto-api/state-manager/set-transition', { model_name: modelName, transition });
}

export function unsetTransition(modelName: string): Promise<void> {
  return post('/moto-api/state-manager/unset-transition', { model_name: modelName });
}
