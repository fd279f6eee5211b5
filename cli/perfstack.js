#!/usr/bin/env node
'use strict';
/**
 * `perfstack <command> [arguments]`: every perfstack CLI behind one command (package.json `bin`; the npm scripts
 * are aliases: `npm run cost -- --env prod` is `perfstack cost --env prod`). Each command is a compiled entry
 * `lib/<entry>.js` exporting `main(argv)`, started through cli/launch.js (type-checks and compiles first when
 * lib/ is not fresh). Entries are named `<command>-cli.ts` beside the tool they run (docs/layout.md).
 *
 * Plain JavaScript, as cli/launch.js: it runs before anything is compiled, and `--help` must answer at once.
 * Exit codes are the command's; `perfstack` itself exits 2 on an unknown or missing command.
 */
const path = require('path');

/** Command -> compiled entry (without lib/ and .js), the arguments it is always given, and one line of what it does. */
const COMMANDS = {
  synth: { entry: 'stacks/synth-cli', summary: 'render every environment (or --env) to plain Kubernetes YAML under dist/' },
  policy: { entry: 'policies/policy-cli', summary: 'check Kubernetes manifests against the policy rules (table, JSON, JUnit, SARIF)' },
  cost: { entry: 'planning/cost/cost-cli', summary: 'nodes per pool and monthly cost of an environment, all on-demand vs with spot' },
  forecast: { entry: 'planning/forecast/forecast-cli', summary: 'business-hours replica floors from a request-rate history' },
  'forecast:backtest': {
    entry: 'planning/forecast/backtest-cli',
    summary: 'replay held-out weeks: forecast floors against the reactive HPA alone',
  },
  capacity: {
    entry: 'planning/capacity/capacity-cli',
    summary: 'project peak load to replicas, nodes and cost (--history), or check a fit (--nodes)',
  },
  'capacity:backtest': {
    entry: 'planning/capacity/backtest-cli',
    summary: "how often the capacity projection's intervals held on a history",
  },
  rightsize: {
    entry: 'planning/rightsize/rightsize-cli',
    summary: 'CPU and memory requests from Prometheus usage exports, with the monthly saving',
  },
  bundle: { entry: 'delivery/bundle-cli', summary: 'build a verifiable air-gap bundle: manifests by digest, images, charts, checksums' },
  'bundle:verify': { entry: 'delivery/verify-cli', summary: "verify an air-gap bundle's checksums, as its install.sh verify does" },
  'scaling-audit': {
    entry: 'reporting/scaling-audit-cli',
    summary: 'every replica change of a service with its reason, from Prometheus or its export',
  },
  report: { entry: 'reporting/report-cli', summary: 'the weekly HTML performance report of an environment' },
  'loadtest:compare': { entry: 'loadtests/compare-cli', summary: 'compare a k6 summary with a baseline: p95, p99, errors, throughput' },
};

function help() {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: perfstack <command> [arguments]   (perfstack <command> --help for its arguments)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Runs a command; returns its exit code, or a promise of it for a command that waits on the network. */
function perfstack(argv, root = path.resolve(__dirname, '..'), out = (s) => process.stdout.write(s), err = (s) => process.stderr.write(s)) {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    out(help());
    return 0;
  }
  if (name === undefined) {
    err(help());
    return 2;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err(`perfstack: '${name}' is not a command; run perfstack --help for the list\n`);
    return 2;
  }
  return require('./launch').launch([command.entry, ...args], root);
}

module.exports = { COMMANDS, perfstack };

if (require.main === module) Promise.resolve(perfstack(process.argv.slice(2))).then((code) => (process.exitCode = code));
