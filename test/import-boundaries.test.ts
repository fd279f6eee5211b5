import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

// ESLint's config is an ES module; lint every case in one child process rather than inside jest's module system.
const LINT_ALL = `
import { ESLint } from 'eslint';
const cases = JSON.parse(await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => ok(s)); }));
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [file, source] of cases) {
  const [result] = await eslint.lintText(source, { filePath: file });
  out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

/** Lints each source as if it were that file of the repository, with the repository's ESLint config. */
function lintAll(cases: readonly (readonly [string, string])[]): string[][] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', LINT_ALL], {
    cwd: ROOT,
    input: JSON.stringify(cases.map(([file, source]) => [file, `${source}\nexport const probe = 1;\n`])),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const FORBIDDEN: [string, string, string][] = [
  ['policies/probe.ts', "import { ENVIRONMENTS } from '../stacks/environments';", 'policies/ must not import'],
  ['policies/rules/probe.ts', "import { COST_LABEL_KEYS } from '../../constructs/core/labels';", 'policies/ must not import'],
  ['loadtests/probe.ts', "import { K6LoadTest } from '../constructs/loadtest/k6-load-test';", 'loadtests/ must not import'],
  ['manifests/probe.ts', "import { Rule } from '../policies/types';", 'manifests/ must not import'],
  ['cli/probe.ts', "import { KubeObject } from '../manifests/types';", 'cli/ must not import'],
  ['constructs/workload/probe.ts', "import { prod } from '../../stacks/prod';", 'constructs/ must not import'],
  ['planning/probe.ts', "import { buildStack } from '../infra/program';", 'planning/ must not import'],
  ['stacks/probe.ts', "import { podDemands } from '../planning/capacity';", 'stacks/ must not import'],
  ['reporting/probe.ts', "import { buildStack } from '../infra/program';", 'reporting/ must not import'],
];
const ALLOWED: [string, string][] = [
  ['policies/probe.ts', "import { KubeObject } from '../manifests/types';"],
  ['constructs/workload/probe.ts', "import { isPinned } from '../../manifests/images';"],
  ['constructs/loadtest/probe.ts', "import { k6Options } from '../../loadtests/plan';"],
  ['planning/probe.ts', "import { ENVIRONMENTS } from '../stacks/environments';"],
  ['infra/probe.ts', "import { poolBounds } from '../planning/pool-bounds';"],
  ['reporting/probe.ts', "import { priceEnvironment } from '../planning/cost';"],
];

describe('import boundaries (eslint.config.mjs, README "Layout")', () => {
  const results = lintAll([...FORBIDDEN.map(([f, s]) => [f, s] as const), ...ALLOWED]);

  it.each(FORBIDDEN.map((c, i) => [...c, i] as const))('refuses a wrong import in %s', (_file, _source, message, i) => {
    expect(results[i]).toHaveLength(1);
    expect(results[i][0]).toContain(message);
  });

  it.each(ALLOWED.map((c, i) => [...c, FORBIDDEN.length + i] as const))('allows %s to import the right way', (_file, _source, i) => {
    expect(results[i]).toEqual([]);
  });
});
