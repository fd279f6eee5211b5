import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { promisify } from 'util';
import { inFlight } from '../../../delivery/bundle';
import { waitForPort } from './ports';

/** A real OCI registry (Debian's docker-registry, distribution 2.8) on loopback, storing in a temp folder. */
export class OciRegistry {
  private process?: ChildProcess;
  public readonly address: string;

  constructor(
    private readonly dir: string,
    public readonly port: number,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  public async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const config = path.join(this.dir, 'config.yml');
    fs.writeFileSync(
      config,
      `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${this.dir}/data }, delete: { enabled: true } }\nhttp: { addr: ${this.address} }\n`,
    );
    this.process = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    await waitForPort(this.port, this.process);
  }

  /** Resolves once the registry has exited, so its storage folder may be removed. */
  public stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    return exited;
  }

  /** Whether the registry serves the manifest `repo@digest` (a HEAD of the distribution API, as a pull starts). */
  public has(repo: string, digest: string): Promise<boolean> {
    return new Promise((resolve, reject) =>
      http
        .request(
          `http://${this.address}/v2/${repo}/manifests/${digest}`,
          { method: 'HEAD', headers: { accept: MANIFEST_TYPES } },
          (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          },
        )
        .on('error', reject)
        .end(),
    );
  }
}

/** Every manifest media type a pull accepts: an OCI manifest is not served to a client that does not accept it. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/**
 * Pushes a tiny distinct image for each `path:tag` to `registry`: one empty base made with umoci, each variant
 * given its own config label so every image has its own digest (a bundle that mixed two up would be caught). The
 * variants are written one at a time (umoci rewrites the layout's index), then pushed four at a time.
 */
export async function pushTestImages(workdir: string, registry: string, refs: readonly string[]): Promise<void> {
  const layout = path.join(workdir, 'layout');
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:base`]);
  refs.forEach((ref, i) =>
    execFileSync('umoci', ['config', '--image', `${layout}:base`, '--tag', `v${i}`, '--config.label', `perfstack.test/image=${ref}`]),
  );
  await inFlight(
    refs.map((ref, i) => ({ ref, tag: `v${i}` })),
    4,
    ({ ref, tag }) =>
      promisify(execFile)('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${registry}/${ref}`]),
  );
}

/** A classic Helm repository on loopback serving one tiny chart per name, with the index's sha256 digests. */
export async function chartRepository(
  dir: string,
  charts: readonly { chart: string; version: string }[],
): Promise<{ url: string; close: () => void }> {
  const entries: string[] = [];
  fs.mkdirSync(dir, { recursive: true });
  for (const c of charts) {
    const src = path.join(dir, 'src', c.chart);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${c.chart}\nversion: ${c.version}\n`);
    const file = `${c.chart}-${c.version}.tgz`;
    execFileSync('tar', ['czf', path.join(dir, file), '-C', path.join(dir, 'src'), c.chart]);
    const digest = execFileSync('sha256sum', [path.join(dir, file)], { encoding: 'utf8' }).split(' ')[0];
    entries.push(`  ${c.chart}:\n    - name: ${c.chart}\n      version: ${c.version}\n      digest: ${digest}\n      urls: [${file}]\n`);
  }
  fs.writeFileSync(path.join(dir, 'index.yaml'), `apiVersion: v1\nentries:\n${entries.join('')}`);
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ''));
    if (!fs.existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
