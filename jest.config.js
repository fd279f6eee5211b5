/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  // @pulumi/pulumi keeps module-level state that Jest's global clean-up warns about; nothing leaks between files.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  moduleNameMapper: { '^typescript$': '<rootDir>/test/support/lazy-typescript.js' },
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};

/**
 * Two projects, run together: unit tests, and integration tests that start real programs (redis-server, postgres,
 * pgbouncer, promtool, prometheus, registries) on their own ports and folders. The integration suites mostly wait
 * (a failover is a 2 s node timeout, not CPU), so they overlap with unit tests; what they measure holds under load
 * (README "Tests").
 */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testSequencer: '<rootDir>/test/support/sequencer.js',
  globalSetup: '<rootDir>/test/support/run-cache.js',
  globalTeardown: '<rootDir>/test/support/run-cache-teardown.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/integration/'],
    },
    { ...common, displayName: 'integration', roots: ['<rootDir>/test/integration'], testMatch: ['**/*.test.ts'] },
  ],
  testTimeout: 30000,
  // One worker per core: Jest's default (cores - 1) leaves half of a 2-core CI machine idle (61 s against 37 s).
  maxWorkers: '100%',
};
