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
  // Servers shared by the run (test/support/kube-apiserver.ts) watch this process and stop when it is gone.
  process.env.PERFSTACK_TEST_RUN_PID = String(process.pid);
};

/** Stops the process groups a suite recorded in `<name>.pgid` (one id a line): servers shared by the whole run. */
async function stopRecordedServers(dir) {
  const groups = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pgid'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
  const alive = (g) => {
    try {
      process.kill(-g, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const g of groups.filter(alive)) process.kill(-g, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (groups.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const g of groups.filter(alive)) process.kill(-g, 'SIGKILL');
}

module.exports.teardown = async function teardown() {
  const dir = process.env.PERFSTACK_TEST_RUN_CACHE;
  if (!dir) return;
  if (fs.existsSync(dir)) await stopRecordedServers(dir);
  fs.rmSync(dir, { recursive: true, force: true });
};
