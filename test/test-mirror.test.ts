import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const PRODUCT = ['cli', 'constructs', 'delivery', 'infra', 'loadtests', 'manifests', 'planning', 'policies', 'sizing', 'stacks'];

/**
 * Product files with logic whose behaviour is tested through another file's test, deliberately: a CLI entry through
 * its CLI test, a worker through the reader that starts it, rule text through the real program that runs it. Each
 * names the test that covers it; that test must exist and load the file.
 */
const COVERED_ELSEWHERE: Readonly<Record<string, string>> = {
  'cli/junit.ts': 'test/policies/policy-cli.test.ts',
  'constructs/data/postgres-rules.ts': 'test/integration/prometheus-rules.test.ts',
  'constructs/data/redis-rules.ts': 'test/integration/prometheus-rules.test.ts',
  'constructs/traffic/dependency-rules.ts': 'test/integration/dependency-alerts.test.ts',
  'constructs/platform/priority-classes.ts': 'test/constructs/platform/namespace-baseline.test.ts',
  'constructs/workload/capacity-class.ts': 'test/constructs/workload/scalable-service.test.ts',
  'delivery/bundle-cli.ts': 'test/integration/airgap-bundle.test.ts',
  'delivery/bundle.ts': 'test/integration/airgap-bundle.test.ts',
  'delivery/charts.ts': 'test/integration/airgap-bundle.test.ts',
  'delivery/operator-charts.ts': 'test/integration/airgap-bundle.test.ts',
  'infra/index.ts': 'test/infra/workloads.test.ts',
  'loadtests/compare-cli.ts': 'test/loadtests/compare.test.ts',
  'loadtests/k6/script.ts': 'test/loadtests/k6-types.test.ts',
  'loadtests/options-check.ts': 'test/loadtests/plan.test.ts',
  'manifests/context.ts': 'test/policies/engine.test.ts',
  'planning/capacity/capacity-projection.ts': 'test/planning/capacity/capacity-cli.test.ts',
  'planning/capacity/history-mode.ts': 'test/planning/capacity/capacity-cli.test.ts',
  'planning/capacity/projection-backtest.ts': 'test/planning/capacity/monthly-projection.test.ts',
  'planning/cost/cost-report.ts': 'test/planning/cost/cost-cli.test.ts',
  'planning/forecast/backtest-cli.ts': 'test/planning/forecast/backtest.test.ts',
  'planning/forecast/forecast-cli.ts': 'test/planning/forecast/forecast.test.ts',
  'planning/rightsize/usage.ts': 'test/planning/rightsize/rightsize.test.ts',
  'policies/crossguard/aws.ts': 'test/policies/crossguard/policies.test.ts',
  'policies/crossguard/kubernetes.ts': 'test/policies/crossguard/policies.test.ts',
  'stacks/environment.ts': 'test/stacks/environment-schema.test.ts',
  'stacks/services.ts': 'test/stacks/synth.test.ts',
};

/** A function or class with a body anywhere in the file: more than types, constants and re-exports. */
function holdsLogic(node: ts.Node): boolean {
  if ((ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) || ts.isClassDeclaration(node)) return true;
  return ts.forEachChild(node, holdsLogic) ?? false;
}

/** Product .ts files that hold logic: a function, a class or an arrow function, not only types and re-exports. */
function filesWithLogic(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const source = ts.createSourceFile(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'), ts.ScriptTarget.Latest);
        if (holdsLogic(source)) out.push(rel);
      }
    }
  };
  for (const dir of PRODUCT) walk(dir);
  return out.sort();
}

const mirrorOf = (file: string) => path.join('test', file.replace(/\.ts$/, '.test.ts'));
const exists = (rel: string) => fs.existsSync(path.join(ROOT, rel));

describe('every product file with logic has a test', () => {
  const files = filesWithLogic();

  it('mirrored under test/, or covered by a named test', () => {
    const missing = files.filter((f) => !exists(mirrorOf(f)) && !(f in COVERED_ELSEWHERE));
    expect(missing).toEqual([]);
  });

  it('each named covering test exists and loads the file it covers', () => {
    const wrong = Object.entries(COVERED_ELSEWHERE).filter(([file, test]) => {
      if (!exists(test)) return true;
      const source = fs.readFileSync(path.join(ROOT, test), 'utf8');
      const module = file.replace(/\.ts$/, '');
      return !source.includes(path.basename(module)) && !source.includes(module);
    });
    expect(wrong).toEqual([]);
  });

  it('no file is both mirrored and listed as covered elsewhere', () => {
    expect(Object.keys(COVERED_ELSEWHERE).filter((f) => exists(mirrorOf(f)) || !files.includes(f))).toEqual([]);
  });
});
