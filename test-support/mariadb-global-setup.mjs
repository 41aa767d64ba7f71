// Jest global setup of the example-app ring: checks every prerequisite of the run first, then
// starts a throwaway MariaDB (test-support/mariadb-server.mjs) unless TEST_DB_HOST names a server
// to use, exports where it is (TEST_DB_*, read by example-app/backend/test/support/mariadb.ts),
// and compiles the backend whose CLI the migration tests spawn.
import buildBackend from '../example-app/backend/test/support/build-backend.mjs';
import { databaseFromEnvironment, startMariadb } from './mariadb-server.mjs';
import { assertPrerequisitesForRun } from './prerequisites.mjs';

export default async function globalSetup() {
  await assertPrerequisitesForRun();
  if (!databaseFromEnvironment()) {
    const server = await startMariadb();
    globalThis.__MARIADB_SERVER__ = server;
    // Workers are forked after global setup, so they inherit this.
    Object.assign(process.env, server.env);
  }
  buildBackend();
}
