// Jest global setup of the integration ring: one moto server per worker, so that resetting
// state before a test file never pulls the ground from under a file in another worker.
import { assertMotoInstalled, startMoto } from './moto-server.mjs';
import { assertPrerequisitesForRun } from './prerequisites.mjs';

export default async function globalSetup(globalConfig) {
  await assertPrerequisitesForRun();
  assertMotoInstalled();
  const count = Math.max(1, globalConfig.maxWorkers);
  const servers = await Promise.all(Array.from({ length: count }, () => startMoto()));
  globalThis.__MOTO_SERVERS__ = servers;
  // Workers are forked after global setup, so they inherit this.
  process.env.MOTO_URLS = servers.map((server) => server.url).join(',');
}
