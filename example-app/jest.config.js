/**
 * The example app's tests, one Jest project in the root `npm test`: API and migrations against the
 * MariaDB on 127.0.0.1:3306 (a throwaway database per test file), the Dockerfile rules, and the
 * page in Chromium. The global setup compiles the backend, whose CLI the migration tests spawn.
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
  globalSetup: '<rootDir>/backend/test/support/build-backend.mjs',
};
