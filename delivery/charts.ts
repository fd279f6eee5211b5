import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as os from 'os';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { imagesIn } from './images';

/** An operator chart a bundle carries, installed at the site in the order given. */
export interface ChartSource {
  /** Release name, e.g. `cloudnative-pg`. */
  readonly release: string;
  /** Helm repository URL (`https://cloudnative-pg.github.io/charts`). */
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  /** Values the release is installed with (the site registry for every image, resources, ...). */
  readonly values?: Readonly<Record<string, unknown>>;
}

interface IndexEntry {
  readonly version: string;
  readonly urls: readonly string[];
  readonly digest?: string;
}

/**
 * Downloads a chart archive from a classic Helm repository: its `index.yaml` names the archive's URL and sha256,
 * which is checked, so a repository that serves something else than it indexes is caught on the connected side.
 * OCI chart registries (`oci://`) are not read here: mirror such charts with `helm pull` and give them as a local
 * repository.
 */
export async function fetchChart(chart: ChartSource): Promise<{ file: string; sha256: string; archive: Buffer }> {
  if (chart.repository.startsWith('oci://'))
    throw new Error(
      `chart '${chart.release}': ${chart.repository} is an OCI registry; serve the chart from a Helm repository (helm repo index) instead`,
    );
  const base = chart.repository.endsWith('/') ? chart.repository : `${chart.repository}/`;
  const index = parse(await download(new URL('index.yaml', base).toString(), 'text')) as { entries?: Record<string, IndexEntry[]> };
  const entry = index.entries?.[chart.chart]?.find((e) => String(e.version) === chart.version);
  if (!entry || entry.urls.length === 0)
    throw new Error(`chart '${chart.release}': ${chart.chart} ${chart.version} is not in ${base}index.yaml`);
  const archive = Buffer.from(await download(new URL(entry.urls[0], base).toString(), 'bytes'));
  const sha256 = createHash('sha256').update(archive).digest('hex');
  if (entry.digest && entry.digest !== sha256)
    throw new Error(
      `chart '${chart.release}': ${chart.chart}-${chart.version}.tgz has sha256 ${sha256}, the repository index says ${entry.digest}`,
    );
  return { file: `${chart.chart}-${chart.version}.tgz`, sha256, archive };
}

/**
 * The images a chart runs with these values, as `helm template` renders them: the operators' own images and those
 * their charts add (kube-prometheus-stack's Prometheus, Alertmanager, Grafana, kube-state-metrics, ...), which no
 * catalogue lists completely. Undefined when helm is not installed.
 */
export function renderedChartImages(chart: ChartSource, archive: Buffer, helm = 'helm'): string[] | undefined {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-chart-'));
  try {
    const tgz = path.join(tmp, 'chart.tgz');
    const values = path.join(tmp, 'values.yaml');
    fs.writeFileSync(tgz, archive);
    fs.writeFileSync(values, stringify(chart.values ?? {}));
    let rendered: string;
    try {
      rendered = execFileSync(helm, ['template', chart.release, tgz, '--namespace', chart.namespace, '--values', values], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
    } catch (e) {
      const err = e as { code?: string; stderr?: string; message: string };
      if (err.code === 'ENOENT') return undefined;
      throw new Error(`chart '${chart.release}': helm template failed: ${(err.stderr ?? err.message).trim().split('\n').pop()}`, {
        cause: e,
      });
    }
    return imagesIn(parseAllDocuments(rendered).map((d) => d.toJS() as unknown));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function download(url: string, as: 'text'): Promise<string>;
export async function download(url: string, as: 'bytes'): Promise<ArrayBuffer>;
export async function download(url: string, as: 'text' | 'bytes'): Promise<string | ArrayBuffer> {
  let res: Response | undefined;
  // A connection reset (a server closing an idle keep-alive socket, a proxy hiccup) is retried; HTTP errors are not.
  for (let attempt = 1; res === undefined; attempt++) {
    try {
      res = await fetch(url);
    } catch (e) {
      if (attempt >= 3) throw new Error(`${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, { cause: e });
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return as === 'text' ? res.text() : res.arrayBuffer();
}
