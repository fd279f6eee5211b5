import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigError } from '../constructs/core/errors';
import { Environment } from './environment';
import { buildPlatform } from './platform';

/** One manifest file, path relative to the output folder (`prod/01-api-gateway.k8s.yaml`). */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Runs every `node.addValidation` hook, as `app.synth()` would, but reports problems as one {@link ConfigError}
 * per construct so the CLI prints them like the constructors' own checks.
 */
function validateApp(app: App): void {
  const errors: ConfigError[] = [];
  const visit = (c: IConstruct) => {
    const messages = c.node.validate();
    if (messages.length > 0)
      errors.push(
        new ConfigError(
          c.node.path,
          messages.map((m) => ({ input: '', value: undefined, fix: m })),
        ),
      );
    c.node.children.forEach(visit);
  };
  visit(app);
  if (errors.length > 0)
    throw new ConfigError(
      errors[0].path,
      errors.flatMap((e) => e.problems),
    );
}

/** Depth of a chart in the chart dependency graph: 0 for foundations, 1 for what needs them, ... */
function depth(chart: Chart, memo = new Map<Chart, number>()): number {
  const known = memo.get(chart);
  if (known !== undefined) return known;
  const deps = chart.node.dependencies.filter((d): d is Chart => d instanceof Chart);
  const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((c) => depth(c, memo)));
  memo.set(chart, d);
  return d;
}

/**
 * Renders one environment: one YAML file per chart, named `<depth>-<chart>.k8s.yaml` so that `kubectl apply -f`
 * (which goes in file-name order) creates foundations first, and so names stay put when services are added.
 */
export function renderEnvironment(env: Environment): RenderedFile[] {
  const { app } = buildPlatform(env);
  validateApp(app);
  return app.charts.map((chart) => ({
    path: `${env.name}/${String(depth(chart)).padStart(2, '0')}-${chart.node.id}.k8s.yaml`,
    content: Yaml.stringify(...chart.toJson()),
  }));
}

/**
 * Writes the files so that `outdir` holds either the old manifests or the complete new ones, never a mix:
 * everything goes to a sibling temporary folder first, then whole environment folders are swapped in by rename.
 * `environments` names the folders to replace; others already in `outdir` are kept.
 */
export function writeAtomically(outdir: string, environments: readonly string[], files: readonly RenderedFile[]): void {
  const parent = path.dirname(path.resolve(outdir));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, '.perfstack-tmp-'));
  try {
    for (const env of environments) fs.mkdirSync(path.join(staging, env), { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(staging, f.path), f.content);
    fs.mkdirSync(outdir, { recursive: true });
    for (const env of environments) {
      const target = path.join(outdir, env);
      const old = path.join(staging, `${env}.old`);
      if (fs.existsSync(target)) fs.renameSync(target, old);
      fs.renameSync(path.join(staging, env), target);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
