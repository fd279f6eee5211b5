import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

// ESLint's config is an ES module; lint every case in one child process rather than inside jest's module system.
const LINT_ALL = `
import { ESLint } from 'eslint';
const cases = JSON.parse(await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => ok(s)); }));
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [file, source] of cases) {
  const [result] = await eslint.lintText(source, { filePath: file });
  out.push(result.messages.filter((m) => m.ruleId === process.env.RULE).map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

/** Lints each source as if it were that file of the repository, with the repository's ESLint config. */
function lintAll(cases: readonly (readonly [string, string])[], rule = 'no-restricted-imports'): string[][] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', LINT_ALL], {
    cwd: ROOT,
    env: { ...process.env, RULE: rule },
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
  ['stacks/probe.ts', "import { podDemands } from '../sizing/node-sizing';", 'stacks/ must not import'],
  ['reporting/probe.ts', "import { buildStack } from '../infra/program';", 'reporting/ must not import'],
];
const ALLOWED: [string, string][] = [
  ['policies/probe.ts', "import { KubeObject } from '../manifests/types';"],
  ['constructs/workload/probe.ts', "import { isPinned } from '../../manifests/images';"],
  ['constructs/loadtest/probe.ts', "import { k6Options } from '../../loadtests/plan';"],
  ['planning/probe.ts', "import { ENVIRONMENTS } from '../stacks/environments';"],
  ['infra/probe.ts', "import { poolBounds } from '../sizing/pool-bounds';"],
  ['reporting/probe.ts', "import { priceEnvironment } from '../planning/cost/price-environment';"],
];

describe('import boundaries (eslint.config.mjs, docs/layout.md)', () => {
  const results = lintAll([...FORBIDDEN.map(([f, s]) => [f, s] as const), ...ALLOWED]);

  it.each(FORBIDDEN.map((c, i) => [...c, i] as const))('refuses a wrong import in %s', (_file, _source, message, i) => {
    expect(results[i]).toHaveLength(1);
    expect(results[i][0]).toContain(message);
  });

  it.each(ALLOWED.map((c, i) => [...c, FORBIDDEN.length + i] as const))('allows %s to import the right way', (_file, _source, i) => {
    expect(results[i]).toEqual([]);
  });
});

/** Top-level folders of product code: everything but tests, generated bindings and build output. */
const PRODUCT = ['cli', 'constructs', 'delivery', 'infra', 'loadtests', 'manifests', 'planning', 'policies', 'schemas', 'sizing', 'stacks'];

/** Product files and the product files each imports (type-only imports count: they couple the files the same way). */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.join(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => files.has(f));
  };
  return new Map(
    [...files].map(([file, source]) => [
      file,
      ts
        .preProcessFile(source, true, true)
        .importedFiles.map((i) => i.fileName)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => resolve(file, spec))
        .filter((f): f is string => f !== undefined),
    ]),
  );
}

/** Every import circle, as the files around it (Tarjan's strongly connected components of two or more files). */
function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

function productSources(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.set(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'));
    }
  };
  for (const dir of PRODUCT) if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
  return out;
}

describe('import circles', () => {
  it('product code has none: every import runs one way, type-only imports included', () => {
    expect(importCircles(importGraph(productSources()))).toEqual([]);
  });

  it('would be caught with a planted circle, type-only or not', () => {
    const planted = new Map(productSources());
    planted.set(
      'constructs/core/errors.ts',
      `${planted.get('constructs/core/errors.ts')}\nimport type { checkSlo } from '../observability/slo-schema';\n`,
    );
    const circles = importCircles(importGraph(planted));
    expect(circles.length).toBeGreaterThan(0);
    expect(circles.some((c) => c.includes('constructs/core/errors.ts') && c.includes('constructs/observability/slo-schema.ts'))).toBe(true);
  });
});

describe('function length (eslint.config.mjs)', () => {
  const body = (lines: number) => Array.from({ length: lines }, (_, i) => `  total += ${i};`).join('\n');
  const fn = (lines: number) => `export function planted(): number {\n  let total = 0;\n${body(lines)}\n  return total;\n}`;

  it('refuses a 200-line function in product code and allows a 100-line one', () => {
    const [long, short] = lintAll(
      [
        ['planning/probe.ts', fn(200)],
        ['planning/probe.ts', fn(100)],
      ],
      'max-lines-per-function',
    );
    expect(long).toEqual([expect.stringMatching(/too many lines \(20\d\)\. Maximum allowed is 150/)]);
    expect(short).toEqual([]);
  });
});
