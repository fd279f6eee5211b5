/**
 * A real etcd + kube-apiserver on loopback for tests: server-side dry runs run what the JSON schemas cannot (admission,
 * Pod Security, CRDs' CEL rules, defaulting, namespace existence). The binaries are the builds in ../shared/bin
 * (../shared/bin/README.md): one kube-apiserver per supported minor that has a build, plus etcd.
 *
 * One server per build per `jest` run, shared by every suite and worker: the first caller starts it (detached, in its
 * own process group, under the run's scratch folder) and records how to reach it there; the others read that
 * record. The run's global teardown stops it (test/support/run-cache.js); a watchdog stops it too if the `jest`
 * process dies first. Outside a `jest` run (no scratch folder) the server belongs to the process and `stop()` ends it.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { freePorts } from '../integration/support/ports';
import { workerCache } from './worker-cache';

const REPO = path.resolve(__dirname, '../..');

/** Where the binaries are: `PERFSTACK_KUBE_BIN`, else ../shared/bin beside the checkout. */
export const KUBE_BIN_DIR = process.env.PERFSTACK_KUBE_BIN
  ? path.resolve(process.env.PERFSTACK_KUBE_BIN)
  : path.resolve(REPO, '../shared/bin');

/** How long a server may take to become ready on a loaded 2-core machine (about 4 s when quiet). */
const READY_TIMEOUT_MS = 90000;

/** One kube-apiserver build in {@link KUBE_BIN_DIR}. */
export interface KubeApiServerBuild {
  /** `1.36.3` */
  readonly version: string;
  /** `1.36` */
  readonly minor: string;
  readonly path: string;
}

/** A running API server and how to talk to it as cluster admin (static bearer token, `system:masters`). */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string;
  /** PEM of the server's self-signed CA (the serving certificate's chain). */
  readonly ca: string;
  /** An HTTPS agent that trusts {@link ca} (keep-alive). */
  readonly agent: https.Agent;
  /** The server's minor, `1.36`. */
  readonly minor: string;
  /** The server's `gitVersion`, `v1.36.3`. */
  readonly gitVersion: string;
  /**
   * Done with the server. Stops a server this process owns; a server shared by the `jest` run is stopped by the
   * run's teardown, and this only closes this caller's connections.
   */
  stop(): Promise<void>;
}

/** What the first starter records in the run folder for the other workers. */
interface ServerRecord {
  readonly url: string;
  readonly token: string;
  readonly ca: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly processGroups: readonly number[];
}

function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** The kube-apiserver builds present, oldest first. */
export function kubeApiServerBuilds(dir: string = KUBE_BIN_DIR): KubeApiServerBuild[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^kube-apiserver-v((\d+\.\d+)\.\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: m[1], minor: m[2], path: path.join(dir, m[0]) }))
    .sort((a, b) => compareMinor(a.minor, b.minor));
}

function etcdBinary(dir: string = KUBE_BIN_DIR): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const f = fs.readdirSync(dir).find((n) => /^etcd-v\d+\.\d+\.\d+$/.test(n));
  return f && path.join(dir, f);
}

/**
 * The build that serves objects of Kubernetes `minor`: the build of that minor, else the build of the nearest minor,
 * the newer on a tie (with builds for 1.28 and 1.36: 1.28 for 1.29 to 1.31, 1.36 for 1.32 to 1.35). A server serves
 * every field of older minors, so the newer build only misses what the newer server deprecates (it warns).
 */
export function buildFor(minor: string, builds: readonly KubeApiServerBuild[] = kubeApiServerBuilds()): KubeApiServerBuild {
  if (builds.length === 0) throw new Error(`no kube-apiserver build in ${KUBE_BIN_DIR}`);
  const distance = (b: KubeApiServerBuild) => {
    const [bm, bn] = b.minor.split('.').map(Number);
    const [wm, wn] = minor.split('.').map(Number);
    return Math.abs((bm - wm) * 1000 + bn - wn);
  };
  return [...builds].sort((a, b) => distance(a) - distance(b) || compareMinor(b.minor, a.minor))[0];
}

/** Why the API server suites cannot run here, or undefined when they can (checked once per worker). */
export function kubeApiServerUnavailable(): string | undefined {
  const cache = workerCache<string>('kube-apiserver-unavailable');
  if (!cache.has(KUBE_BIN_DIR)) cache.set(KUBE_BIN_DIR, probe());
  return cache.get(KUBE_BIN_DIR) || undefined;
}

function probe(): string {
  if (!fs.existsSync(KUBE_BIN_DIR))
    return `${KUBE_BIN_DIR} is absent (it holds the etcd and kube-apiserver builds, ../shared/bin/README.md)`;
  const etcd = etcdBinary();
  const builds = kubeApiServerBuilds();
  if (!etcd || builds.length === 0) return `${KUBE_BIN_DIR} has no etcd-v* or no kube-apiserver-v* binary`;
  for (const bin of [etcd, ...builds.map((b) => b.path)]) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'pipe', timeout: 30000 });
    } catch (e) {
      return `${path.basename(bin)} cannot run here (${(e as Error).message.split('\n')[0]}); the builds are linux-amd64`;
    }
  }
  return '';
}

/**
 * `describe` when the binaries can run; otherwise the suite is skipped with a loud notice (a clone without
 * ../shared/bin, another architecture), as the suites of the other real programs are.
 */
export function describeWithKubeApiServer(title: string, body: () => void): void {
  const why = kubeApiServerUnavailable();
  if (!why) {
    describe(title, body);
    return;
  }
  process.stderr.write(`\n*** SKIPPED integration suite. ${title}: ${why}\n\n`);
  // The body is not even declared: its test names may ask for a server build (buildFor) that is not there.
  describe(title, () => it.todo(`needs a kube-apiserver: ${why}`));
}

/**
 * The shared server for objects of Kubernetes `minor` (see {@link buildFor}): started by the first caller of the
 * `jest` run, reused by every later one.
 */
export async function kubeApiServerFor(minor: string): Promise<KubeApiServer> {
  const build = buildFor(minor);
  const runDir = process.env.PERFSTACK_TEST_RUN_CACHE;
  const inProcess = workerCache<Promise<KubeApiServer>>('kube-apiservers');
  const key = `${runDir ?? ''}:${build.path}`;
  let server = inProcess.get(key);
  if (!server) {
    server = runDir ? sharedServer(build, runDir) : startKubeApiServer(build);
    inProcess.set(key, server);
    server.catch(() => inProcess.delete(key));
  }
  return server;
}

/** Starts a server of `build` that only the caller uses; `stop()` ends it and removes its folder. */
export async function startKubeApiServer(build: KubeApiServerBuild = buildFor(kubeApiServerBuilds().pop()!.minor)): Promise<KubeApiServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `perfstack-kube-${build.minor}-`));
  const record = await launch(build, dir, process.pid);
  const agent = agentFor(record);
  return {
    ...withoutGroups(record),
    agent,
    stop: async () => {
      agent.destroy();
      await stopProcessGroups(record.processGroups);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The run's server for `build`: read its record, or take the lock and start it. */
async function sharedServer(build: KubeApiServerBuild, runDir: string): Promise<KubeApiServer> {
  const base = path.join(runDir, `kube-apiserver-${build.version}`);
  const recordFile = `${base}.json`;
  let record: ServerRecord | undefined;
  let lock: number | undefined;
  try {
    lock = fs.openSync(`${base}.lock`, 'wx');
  } catch {
    // Another worker is starting it.
  }
  if (lock !== undefined) {
    fs.closeSync(lock);
    const dir = fs.mkdtempSync(`${base}-`);
    try {
      record = await launch(build, dir, Number(process.env.PERFSTACK_TEST_RUN_PID ?? process.ppid), (groups) =>
        // Written before the server is ready, so the teardown stops it even if this worker dies meanwhile.
        fs.writeFileSync(`${base}.pgid`, groups.join('\n')),
      );
    } catch (e) {
      fs.writeFileSync(`${recordFile}.failed`, (e as Error).message);
      throw e;
    }
    fs.writeFileSync(`${recordFile}.tmp`, JSON.stringify(record));
    fs.renameSync(`${recordFile}.tmp`, recordFile);
  } else {
    const deadline = Date.now() + READY_TIMEOUT_MS + 10000;
    while (!record) {
      if (fs.existsSync(recordFile)) record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as ServerRecord;
      else if (fs.existsSync(`${recordFile}.failed`)) throw new Error(fs.readFileSync(`${recordFile}.failed`, 'utf8'));
      else if (Date.now() > deadline) throw new Error(`kube-apiserver ${build.version}: another worker did not start it in time`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  const agent = agentFor(record);
  return { ...withoutGroups(record), agent, stop: async () => agent.destroy() };
}

function withoutGroups(record: ServerRecord): Omit<ServerRecord, 'processGroups'> {
  return { url: record.url, token: record.token, ca: record.ca, minor: record.minor, gitVersion: record.gitVersion };
}

function agentFor(record: ServerRecord): https.Agent {
  return new https.Agent({ ca: record.ca, keepAlive: true, maxSockets: 8 });
}

/**
 * Runs `argv` detached in its own process group, under a shell that stops it when `watchPid` exits (the `jest`
 * process, so nothing outlives an interrupted run). Output goes to `log`.
 */
function detached(argv: readonly string[], log: string, watchPid: number): ChildProcess {
  const script = [
    '"$@" & c=$!',
    "trap 'kill $c 2>/dev/null; wait $c; exit 0' TERM INT",
    'while kill -0 "$W" 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1; done',
    'kill $c 2>/dev/null; wait $c',
  ].join('\n');
  const fd = fs.openSync(log, 'a');
  const child = spawn('sh', ['-c', script, 'sh', ...argv], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, W: String(watchPid) },
  });
  fs.closeSync(fd);
  child.unref();
  return child;
}

function tail(file: string, lines = 15): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

function alive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to each process group, SIGKILL to what is left after 5 s. */
export async function stopProcessGroups(groups: readonly number[]): Promise<void> {
  for (const g of groups) if (alive(g)) process.kill(-g, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (groups.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const g of groups) if (alive(g)) process.kill(-g, 'SIGKILL');
}

/** Starts etcd and the API server in `dir` on ports the OS hands out; resolves when `/readyz` answers. */
async function launch(
  build: KubeApiServerBuild,
  dir: string,
  watchPid: number,
  started?: (groups: number[]) => void,
): Promise<ServerRecord> {
  const etcd = etcdBinary()!;
  const token = crypto.randomBytes(24).toString('hex');
  // The service-account key pair in Node's crypto: no openssl needed.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  const [client, peer, secure] = await freePorts(3);
  const etcdLog = path.join(dir, 'etcd.log');
  const apiLog = path.join(dir, 'kube-apiserver.log');
  const groups: number[] = [];
  const etcdChild = detached(
    [
      etcd,
      '--name=local',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=local=http://127.0.0.1:${peer}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    etcdLog,
    watchPid,
  );
  groups.push(etcdChild.pid!);
  const api = detached(
    [
      build.path,
      `--etcd-servers=http://127.0.0.1:${client}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${secure}`,
      `--cert-dir=${path.join(dir, 'serving')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      // PodSecurity is on by default; named so the intent is visible.
      '--enable-admission-plugins=PodSecurity',
      '--allow-privileged=true',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=1',
    ],
    apiLog,
    watchPid,
  );
  groups.push(api.pid!);
  started?.(groups);
  const fail = async (why: string): Promise<never> => {
    await stopProcessGroups(groups);
    throw new Error(
      `kube-apiserver ${build.version}: ${why}\n--- ${apiLog} (tail)\n${tail(apiLog)}\n--- ${etcdLog} (tail)\n${tail(etcdLog)}`,
    );
  };
  const url = `https://127.0.0.1:${secure}`;
  const crt = path.join(dir, 'serving', 'apiserver.crt');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!alive(etcdChild.pid!) || !alive(api.pid!)) return fail('exited before it was ready');
    if (Date.now() > deadline) return fail(`not ready within ${READY_TIMEOUT_MS / 1000} s`);
    if (fs.existsSync(crt)) {
      const ca = fs.readFileSync(crt, 'utf8');
      const probeAgent = new https.Agent({ ca });
      const ready = await request({ url, token, agent: probeAgent }, 'GET', '/readyz').catch(() => undefined);
      probeAgent.destroy();
      if (ready?.status === 200) {
        const version = (await request({ url, token, agent: agentFor({ ca } as ServerRecord) }, 'GET', '/version')).body as {
          major: string;
          minor: string;
          gitVersion: string;
        };
        return { url, token, ca, minor: `${version.major}.${version.minor}`, gitVersion: version.gitVersion, processGroups: groups };
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An API response: status, parsed JSON body (or text), and the `Warning` headers' messages. */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly warnings: readonly string[];
}

/** Messages of `Warning: 299 - "..."` headers (RFC 7234 form, as the API server sends them), one per header. */
export function warningMessages(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'warning') continue;
    const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(rawHeaders[i + 1]);
    out.push(m ? m[1].replace(/\\(.)/g, '$1') : rawHeaders[i + 1]);
  }
  return out;
}

/** One HTTP request to the server as cluster admin. Never throws on an HTTP error status. */
export function request(
  server: Pick<KubeApiServer, 'url' | 'token' | 'agent'>,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = https.request(
      new URL(urlPath, server.url),
      {
        method,
        agent: server.agent,
        headers: {
          authorization: `Bearer ${server.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON (/readyz answers "ok").
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warningMessages(res.rawHeaders) });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${urlPath}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The parts of an object these helpers read. */
export interface KubeObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Discovery per server and group/version, for this worker. */
const discovery = new Map<string, Map<string, ApiResource>>();

async function resourceFor(server: KubeApiServer, apiVersion: string, kind: string): Promise<ApiResource | undefined> {
  const key = `${server.url} ${apiVersion}`;
  let kinds = discovery.get(key);
  if (!kinds?.has(kind)) {
    // A CRD's kinds reach discovery shortly after it is Established: ask again for a moment before giving up.
    for (let attempt = 0; attempt < 50; attempt++) {
      const res = await request(server, 'GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      const list = res.status === 200 ? ((res.body as { resources: ApiResource[] }).resources ?? []) : [];
      kinds = new Map(list.filter((r) => !r.name.includes('/')).map((r) => [r.kind, r]));
      if (kinds.has(kind)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    discovery.set(key, kinds!);
  }
  return kinds!.get(kind);
}

/** The REST path of an object (collection path when `named` is false). */
export async function objectPath(server: KubeApiServer, obj: KubeObjectRef, named = true): Promise<string> {
  const r = await resourceFor(server, obj.apiVersion, obj.kind);
  if (!r) throw new Error(`${obj.apiVersion} ${obj.kind}: the API server (${server.gitVersion}) serves no such kind`);
  const prefix = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? 'default')}` : '';
  return `${prefix}${ns}/${r.name}${named ? `/${encodeURIComponent(obj.metadata.name)}` : ''}`;
}

/** The outcome of applying one object. */
export interface ApplyResult {
  readonly object: string;
  /** HTTP status: 200/201 accepted. */
  readonly status: number;
  readonly accepted: boolean;
  /** The API server's message when it rejected the object. */
  readonly message?: string;
  /** The `Warning` headers of the response (deprecations, unknown fields the server dropped, Pod Security warnings). */
  readonly warnings: readonly string[];
  /** The object as the server would store it (defaults filled in), when accepted. */
  readonly result?: unknown;
}

export interface ApplyOptions {
  /** Server-side dry run: admission and validation run, nothing is stored. @default true */
  readonly dryRun?: boolean;
  /** @default 'perfstack' */
  readonly fieldManager?: string;
}

/**
 * Server-side apply of one object with strict field validation (unknown or duplicate fields are errors, as
 * `kubectl apply --server-side --validate=strict`), by default as a dry run.
 */
export async function applyObject(server: KubeApiServer, obj: KubeObjectRef, options: ApplyOptions = {}): Promise<ApplyResult> {
  const query = new URLSearchParams({ fieldManager: options.fieldManager ?? 'perfstack', fieldValidation: 'Strict', force: 'true' });
  if (options.dryRun ?? true) query.set('dryRun', 'All');
  const where = `${obj.apiVersion} ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
  const res = await request(server, 'PATCH', `${await objectPath(server, obj)}?${query}`, obj, 'application/apply-patch+yaml');
  const accepted = res.status === 200 || res.status === 201;
  const message = accepted ? undefined : ((res.body as { message?: string })?.message ?? String(res.body));
  return { object: where, status: res.status, accepted, message, warnings: res.warnings, result: accepted ? res.body : undefined };
}

/** {@link applyObject} as a server-side dry run: what `kubectl apply --server-side --dry-run=server` reports. */
export function dryRunApply(server: KubeApiServer, obj: KubeObjectRef): Promise<ApplyResult> {
  return applyObject(server, obj, { dryRun: true });
}

/** Throws with the server's message unless the object was accepted. */
function mustAccept(r: ApplyResult): ApplyResult {
  if (!r.accepted) throw new Error(`${r.object}: rejected (${r.status}): ${r.message}`);
  return r;
}

/**
 * Creates (or updates) namespaces for real, so namespaced objects can be applied into them, each with its `default`
 * ServiceAccount (which a controller-manager would add; the ServiceAccount admission refuses pods without it). Pass
 * Namespace objects to keep their labels (Pod Security levels), or names.
 */
export async function createNamespaces(server: KubeApiServer, namespaces: readonly (string | KubeObjectRef)[]): Promise<void> {
  for (const ns of namespaces) {
    const obj: KubeObjectRef = typeof ns === 'string' ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } : ns;
    mustAccept(await applyObject(server, obj, { dryRun: false }));
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: obj.metadata.name } };
    mustAccept(await applyObject(server, account, { dryRun: false }));
  }
}

/** The CustomResourceDefinitions of a YAML file (one or several documents). */
export function readCrds(file: string): KubeObjectRef[] {
  return (loadAll(fs.readFileSync(file, 'utf8'), null, { schema: CORE_SCHEMA }) as (KubeObjectRef | null)[]).filter(
    (d): d is KubeObjectRef => d?.kind === 'CustomResourceDefinition',
  );
}

/** Annotation naming the file a CRD was installed from: installing the same file again is a no-op. */
const SOURCE = 'perfstack.test/crd-file';

function annotations(obj: KubeObjectRef): Record<string, string> {
  return (obj.metadata.annotations as Record<string, string> | undefined) ?? {};
}

/**
 * Creates a CRD, or replaces one installed from another file. Plain create/replace rather than server-side apply:
 * applying a CRD of several hundred kilobytes costs the server seconds of managed-fields work.
 */
async function putCrd(server: KubeApiServer, crd: KubeObjectRef): Promise<void> {
  const collection = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await request(server, 'GET', `${collection}/${crd.metadata.name}`);
    let res: KubeResponse;
    if (existing.status === 404) res = await request(server, 'POST', collection, crd);
    else {
      const current = existing.body as KubeObjectRef;
      if (annotations(current)[SOURCE] === annotations(crd)[SOURCE]) return;
      const metadata = { ...crd.metadata, resourceVersion: current.metadata.resourceVersion as string };
      res = await request(server, 'PUT', `${collection}/${crd.metadata.name}`, { ...crd, metadata });
    }
    if (res.status === 200 || res.status === 201) return;
    // 409: another suite created or changed it meanwhile; look again.
    if (res.status !== 409)
      throw new Error(`CRD ${crd.metadata.name}: rejected (${res.status}): ${(res.body as { message?: string }).message}`);
  }
  throw new Error(`CRD ${crd.metadata.name}: kept changing while it was installed`);
}

/** Whether a CRD reports `Established`. */
function established(crd: unknown): boolean {
  const conditions = (crd as { status?: { conditions?: { type: string; status: string }[] } })?.status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** `group/Kind` of a CRD, as {@link installCrds}'s `only` names it. */
export function crdGroupKind(crd: KubeObjectRef): string {
  const spec = crd.spec as { group: string; names: { kind: string } };
  return `${spec.group}/${spec.names.kind}`;
}

/**
 * Installs the CRDs of `files` (a file of another release of an installed CRD replaces it; the same file again is a
 * no-op) and waits until each is Established and its kinds are in discovery. `only` (`group/Kind` entries) installs
 * just those CRDs of multi-CRD files: a large CRD costs the server seconds of CPU.
 */
export async function installCrds(server: KubeApiServer, files: readonly string[], only?: readonly string[]): Promise<void> {
  const crds = files.flatMap((file) =>
    readCrds(file)
      .filter((crd) => !only || only.includes(crdGroupKind(crd)))
      .map((crd): KubeObjectRef => ({
        ...crd,
        metadata: { ...crd.metadata, annotations: { ...annotations(crd), [SOURCE]: path.basename(file) } },
      })),
  );
  await Promise.all(crds.map((crd) => putCrd(server, crd)));
  const deadline = Date.now() + 60000;
  await Promise.all(
    crds.map(async (crd) => {
      const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
      while (!established((await request(server, 'GET', crdPath)).body)) {
        if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} (from ${files.join(', ')}) not Established within 60 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  const kinds = crds.flatMap((crd) => {
    const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
    return spec.versions
      .filter((v) => v.served)
      .map((v) => ({ name: crd.metadata.name, apiVersion: `${spec.group}/${v.name}`, kind: spec.names.kind }));
  });
  // Forget what discovery said before the CRDs existed; wait until it lists each kind.
  for (const k of kinds) discovery.delete(`${server.url} ${k.apiVersion}`);
  for (const k of kinds)
    if (!(await resourceFor(server, k.apiVersion, k.kind)))
      throw new Error(`CRD ${k.name}: ${k.apiVersion} ${k.kind} not in discovery after Established`);
}
