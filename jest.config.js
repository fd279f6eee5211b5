const os = require('os');

/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  // @pulumi/pulumi keeps module-level state that Jest's global clean-up warns about; nothing leaks between files.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  moduleNameMapper: { '^typescript$': '<rootDir>/test/support/lazy-typescript.js' },
  // Code in Jest's vm context reads every global (Math, Number, Object...) through the context's interceptor, which
  // V8 cannot cache: a loop over Math.max ran 185 times slower than in plain node, and the forecast CLI 5-10 times.
  // Injected, they are parameters of each module's wrapper. Only built-ins nothing replaces: not Date or the timers
  // (fake timers swap them after modules load), not process or console; and no name a loaded module declares at
  // its top level with const, let or class (a SyntaxError there): @pulumi/aws declares a class Map, some modules a
  // const Buffer or Promise.
  sandboxInjectedGlobals: [
    ...['Math', 'Number', 'Object', 'Array', 'String', 'Boolean', 'Symbol', 'JSON', 'Reflect', 'Set', 'WeakMap'],
    ...['WeakSet', 'RegExp', 'Error', 'TypeError', 'RangeError', 'Float64Array', 'Uint8Array', 'Int32Array'],
    ...['ArrayBuffer', 'Infinity', 'isNaN', 'parseInt', 'parseFloat', 'Intl'],
  ],
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
