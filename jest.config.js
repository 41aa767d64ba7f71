/**
 * Three test rings (see ../shared/design/ARCHITECTURE.md) as Jest projects:
 * unit (pure logic, SDK mocked), integration (bundled actions against moto over HTTP),
 * static (templates, workflows, action metadata); the example app brings its own project.
 */
const typescript = {
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...typescript,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/actions/**/test/**/*.test.ts',
        '<rootDir>/tools/**/test/**/*.test.ts',
        '<rootDir>/test-support/**/*.test.ts',
      ],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test-support/prerequisites.mjs',
    },
    {
      ...typescript,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/actions/**/test/**/*.int.test.ts',
        '<rootDir>/tools/**/test/**/*.int.test.ts',
        '<rootDir>/tests/integration/**/*.test.ts',
      ],
      globalSetup: '<rootDir>/test-support/moto-global-setup.mjs',
      globalTeardown: '<rootDir>/test-support/moto-global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test-support/moto-per-file.ts'],
    },
    {
      ...typescript,
      displayName: 'static',
      testMatch: ['<rootDir>/tests/static/**/*.test.ts'],
      globalSetup: '<rootDir>/test-support/prerequisites.mjs',
      setupFilesAfterEnv: ['<rootDir>/test-support/slow-ring.ts'],
    },
    '<rootDir>/example-app/jest.config.js',
  ],
};
