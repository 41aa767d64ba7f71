// Jest global teardown of the integration ring: stop every moto server global setup started.
export default async function globalTeardown() {
  await Promise.all((globalThis.__MOTO_SERVERS__ ?? []).map((server) => server.stop()));
}
