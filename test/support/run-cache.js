// Jest globalSetup and globalTeardown: one scratch folder per `jest` run, shared by its workers through
// PERFSTACK_TEST_RUN_CACHE (workers start after this and inherit the environment). test/support/worker-cache.ts keeps
// fixtures there that every worker would otherwise build for itself. A new folder per run: nothing outlives it.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-test-run-'));
  // Other users may pass through to a folder made theirs (the postgres user's, postgres-harness.ts), but not list
  // this one or add to it.
  fs.chmodSync(dir, 0o711);
  process.env.PERFSTACK_TEST_RUN_CACHE = dir;
};

module.exports.teardown = async function teardown() {
  const dir = process.env.PERFSTACK_TEST_RUN_CACHE;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
