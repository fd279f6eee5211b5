/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  // @pulumi/pulumi keeps module-level state that Jest's global clean-up warns about; nothing leaks between files.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};

/**
 * Two projects: unit tests run in parallel; integration tests start real programs (redis-server, postgres,
 * pgbouncer, promtool) and run one file at a time (`--runInBand` in `npm test`), so a load test never skews a
 * failover measurement.
 */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
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
