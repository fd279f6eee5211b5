const os = require('os');

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
 * (docs/setup.md).
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
  // Generous: a cold transform cache and every worker busy can make one file's setup take several times its usual time.
  testTimeout: 60000,
  // One and a half workers per core: the integration suites spend most of their time waiting on the programs they
  // run, and a third worker keeps both cores of a 2-core machine busy meanwhile. On 2 cores: 62 s against 79 s with
  // two workers; four took as long, with more CPU and memory.
  // (A number: Jest reads '150%' as 150 workers.)
  maxWorkers: Math.max(2, Math.round(os.availableParallelism() * 1.5)),
};
