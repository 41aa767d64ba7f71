// Jest global teardown of the example-app ring: stops the throwaway MariaDB and deletes its data.
export default async function globalTeardown() {
  await globalThis.__MARIADB_SERVER__?.stop();
}
