import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigError } from '../constructs/core/errors';
import { stringify } from 'yaml';
import { monitoringStackValues } from '../constructs/observability/monitoring-stack-values';
import { Environment, alertRoutingOptions } from './environment';
import { ManifestYamlThread, manifestYaml } from './manifest-yaml';
import { renderOperatorsFile } from './operator-catalogue';
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

/** How {@link renderEnvironment} works; the output is the same either way. */
export interface RenderOptions {
  /**
   * Write the YAML on a second thread while the next charts are resolved.
   * @default - from {@link YAML_THREAD_FROM} services: below that, starting the thread costs more than it saves
   */
  readonly yamlThread?: boolean;
}

/** Services from which a render writes its YAML on a second thread (test/bench: 1000 services take a fifth less). */
export const YAML_THREAD_FROM = 100;

/**
 * Renders one environment: one YAML file per chart, named `<depth>-<chart>.k8s.yaml` so that `kubectl apply -f`
 * (which goes in file-name order) creates foundations first, and so names stay put when services are added.
 */
export function renderEnvironment(env: Environment, options: RenderOptions = {}): RenderedFile[] {
  // Started first, so that it is loaded by the time the app is built.
  const thread = (options.yamlThread ?? env.services.length >= YAML_THREAD_FROM) ? new ManifestYamlThread() : undefined;
  try {
    const paths: string[] = [];
    const contents: string[] = [];
    // Chart by chart: each chart's objects are garbage once written as YAML (or handed to the thread as JSON).
    for (const c of chartsOf(env)) {
      paths.push(`${env.name}/${c.file}`);
      if (thread) thread.write(c.objects);
      else contents.push(manifestYaml(c.objects));
    }
    const yaml = thread ? thread.results() : contents;
    return [
      ...paths.map((p, i) => ({ path: p, content: yaml[i] })),
      // Not a Kubernetes object: the values the platform team installs kube-prometheus-stack with (online or mirrored).
      { path: `${env.name}/helm/kube-prometheus-stack.values.yaml`, content: stringify(monitoringStackValuesOf(env)) },
      // Plain-YAML sites install the operators themselves: the charts, versions, values and images, in order.
      ...(env.cloud.kind === 'none' ? [{ path: `${env.name}/helm/operators.releases.yaml`, content: renderOperatorsFile(env) }] : []),
    ];
  } finally {
    thread?.close();
  }
}

/** kube-prometheus-stack values for an environment: its retention, and its registry when air-gapped. */
export function monitoringStackValuesOf(env: Environment): Record<string, unknown> {
  return monitoringStackValues({
    environment: env.name,
    retention: env.monitoring.retention,
    imageRegistry: env.airGapped ? env.imageRegistry : undefined,
    dashboardsNamespace: env.monitoring.namespace,
    alerting: alertRoutingOptions(env),
  });
}

/** One synthesized chart: its file name in dist/<env>/ and its objects in apply order. */
export interface SynthesizedChart {
  /** `00-platform.k8s.yaml` */
  readonly file: string;
  /** `platform` */
  readonly chart: string;
  /** Depth in the chart dependency graph (0: foundations). */
  readonly depth: number;
  readonly objects: readonly Record<string, unknown>[];
}

/**
 * Builds, validates and synthesizes an environment in memory, charts in dependency order. `npm run synth` writes
 * these objects to dist/; the Pulumi program hands the very same objects to @pulumi/kubernetes.
 */
export function synthesizeCharts(env: Environment): SynthesizedChart[] {
  return [...chartsOf(env)];
}

/** {@link synthesizeCharts} one chart at a time: the app is built and validated first, each chart synthesized when asked. */
function* chartsOf(env: Environment): Generator<SynthesizedChart> {
  const { app } = buildPlatform(env);
  validateApp(app);
  for (const chart of appCharts(app)) {
    const d = depth(chart);
    yield {
      file: `${String(d).padStart(2, '0')}-${chart.node.id}.k8s.yaml`,
      chart: chart.node.id,
      depth: d,
      objects: chartObjects(chart),
    };
  }
}

/**
 * What `chart.toJson()` returns, without its per-call validation of the whole app: that makes synthesis quadratic in
 * the number of charts (200 services took 45x the time of 20). The app is validated once by {@link validateApp};
 * charts depend on each other only through explicit `addDependency`, which needs no inference pass.
 */
export function chartObjects(chart: Chart): Record<string, unknown>[] {
  return dependencyOrder(chart)
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.toJson());
}

/** What cdk8s's `app.charts` returns: the app's charts in dependency order, from the same walk as {@link chartObjects}. */
export function appCharts(app: App): Chart[] {
  return dependencyOrder(app).filter((c): c is Chart => c instanceof Chart);
}

/**
 * The order of cdk8s's `new DependencyGraph(root.node).topology()`, which `chart.toJson()` and `app.charts` use:
 * every construct under `root` after what it depends on under `root`, otherwise in tree order. cdk8s keys its vertices by path
 * strings and walks shared dependencies again on every visit (a fifth of the time at 1000 services); this walks
 * each construct once. Same roots in the same order, same edges in the same order, so the same result: a second
 * visit of a construct in cdk8s's walk adds nothing, since its first visit already placed all it depends on.
 * (cdk8s takes its roots from an object keyed by path, which would put a chart whose id is an integer first;
 * perfstack's chart ids are names.) A cycle throws, as in cdk8s, even one that no root leads to.
 */
function dependencyOrder(root: IConstruct): IConstruct[] {
  const constructs = root.node.findAll();
  const underRoot = new Set<IConstruct>(constructs);
  const dependsOn = new Map<IConstruct, IConstruct[]>(constructs.map((c) => [c, []]));
  const dependedOn = new Set<IConstruct>();
  for (const c of constructs) {
    for (const d of c.node.dependencies) {
      if (!underRoot.has(d)) continue; // cdk8s does not cross the root's boundary either
      const edges = dependsOn.get(c)!;
      if (!edges.includes(d)) edges.push(d);
      dependedOn.add(d);
    }
  }
  const order: IConstruct[] = [];
  const placed = new Set<IConstruct>();
  const visiting: IConstruct[] = [];
  const visit = (c: IConstruct): void => {
    if (placed.has(c)) return;
    if (visiting.includes(c)) {
      throw new Error(`Dependency cycle detected: ${[...visiting.slice(visiting.indexOf(c)), c].map((v) => v.node.path).join(' => ')}`);
    }
    visiting.push(c);
    for (const d of dependsOn.get(c)!) visit(d);
    visiting.pop();
    placed.add(c);
    order.push(c);
  };
  for (const c of constructs) if (!dependedOn.has(c)) visit(c);
  // In a graph without cycles every construct is placed by now; any left is on a cycle that no root leads to.
  for (const c of constructs) visit(c);
  return order;
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
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(staging, f.path)), { recursive: true });
      fs.writeFileSync(path.join(staging, f.path), f.content);
    }
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
