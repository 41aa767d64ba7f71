/**
 * The example app's tests, one Jest project in the root `npm test`: API and migrations against a
 * throwaway MariaDB the global setup starts on a free loopback port (a throwaway database per test
 * file; TEST_DB_HOST names an existing server instead), the Dockerfile rules, and the page in
 * Chromium. The global setup also checks the run's prerequisites and compiles the backend, whose
 * CLI the migration tests spawn.
 */
export default {
  displayName: 'example-app',
  testMatch: ['<rootDir>/backend/test/**/*.test.ts', '<rootDir>/frontend/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/build/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/backend/tsconfig.json' }],
  },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/../test-support/mariadb-global-setup.mjs',
  globalTeardown: '<rootDir>/../test-support/mariadb-global-teardown.mjs',
};
