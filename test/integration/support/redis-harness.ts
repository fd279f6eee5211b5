/**
 * Real valkey-server (or redis-server) processes on loopback, configured with the redis.conf, created with the
 * bootstrap (topology.py), stopped through the preStop hook (prestop.sh) and rebalanced (topology.py) exactly as the
 * RedisCluster construct synthesizes them. Used by the integration tests and by `npm run bench`.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import calculateSlot from 'cluster-key-slot';
import Redis, { Cluster } from 'ioredis';
import { FakeKubeApi } from './kube-api';
import { waitForPort } from './ports';

const run = promisify(execFile);
/**
 * Debian's python3 where it exists: the interpreter the scripts' image has (bookworm's), and without a version
 * manager's shim, which costs seconds per start on a loaded machine.
 */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
export const PASSWORD = 'integration-test-password';

export interface RedisNode {
  readonly index: number;
  readonly port: number;
  readonly zone: string;
  readonly dir: string;
  process?: ChildProcess;
}

/** The synthesized scripts, by ConfigMap key. */
export interface RedisScripts {
  readonly 'topology.py': string;
  readonly 'placement.py': string;
  readonly 'prestop.sh': string;
}

export interface RedisHarnessOptions {
  readonly redisConf: string;
  readonly scripts: RedisScripts;
  /** The server program the StatefulSet runs: `valkey-server` or `redis-server`. */
  readonly server: string;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly basePort: number;
  readonly zones?: readonly string[];
}

/** DESIGN.md: failover of the cache tier within 5 s; the failover tests hold the synthesized config to it. */
export const FAILOVER_TARGET_SECONDS = 5;

export class RedisHarness {
  public readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-redis-'));
  public readonly nodes: RedisNode[];

  constructor(public readonly options: RedisHarnessOptions) {
    const zones = options.zones ?? ['zone-a', 'zone-b', 'zone-c'];
    const count = options.shards * (1 + options.replicasPerShard);
    this.nodes = Array.from({ length: count }, (_, i) => ({
      index: i,
      port: options.basePort + i,
      zone: zones[i % zones.length],
      dir: path.join(this.root, `n${i}`),
    }));
  }

  /** The construct's redis.conf with only port, dir and the run-time include substituted. */
  public configFor(node: RedisNode): string {
    const conf = this.options.redisConf
      .replace(/^port \d+$/m, `port ${node.port}`)
      .replace(/^dir .*$/m, `dir ${node.dir}`)
      .replace(/^include .*$/m, `include ${path.join(node.dir, 'runtime.conf')}`);
    if (conf === this.options.redisConf) throw new Error('redis.conf has no port/dir/include lines to substitute');
    return conf;
  }

  /** Starts every node and waits until each accepts connections, so the bootstrap script never waits a round on one. */
  public async start(): Promise<void> {
    for (const node of this.nodes) {
      fs.mkdirSync(node.dir, { recursive: true });
      fs.writeFileSync(path.join(node.dir, 'redis.conf'), this.configFor(node));
      // What the init container writes in the pod.
      fs.writeFileSync(
        path.join(node.dir, 'runtime.conf'),
        `requirepass ${PASSWORD}\nmasterauth ${PASSWORD}\ncluster-announce-hostname localhost\n`,
      );
      this.launch(node);
    }
    await Promise.all(this.nodes.map((n) => waitForPort(n.port, n.process!)));
  }

  public launch(node: RedisNode): void {
    const log = fs.openSync(path.join(node.dir, 'redis.log'), 'a');
    node.process = spawn(this.options.server, [path.join(node.dir, 'redis.conf')], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
  }

  /** Writes the synthesized scripts into the harness folder once; returns the path of `name`. */
  public script(name: keyof RedisScripts): string {
    const file = path.join(this.root, name);
    if (!fs.existsSync(file)) fs.writeFileSync(file, this.options.scripts[name]);
    return file;
  }

  /**
   * Runs `topology.py bootstrap` as the Job does, with the placement file the Job's init container writes. Resolves
   * with its output on exit 0, rejects with stdout and stderr otherwise.
   */
  public async bootstrap(timeoutSeconds = 60): Promise<string> {
    const placement = path.join(this.root, 'placement');
    fs.writeFileSync(placement, this.nodes.map((n) => `redis-${n.index} ${n.zone} localhost:${n.port}`).join('\n') + '\n');
    const { shards, replicasPerShard } = this.options;
    const { stdout } = await run(
      PYTHON,
      ['-B', this.script('topology.py'), 'bootstrap', placement, String(shards), String(replicasPerShard)],
      {
        env: { ...process.env, REDISCLI_AUTH: PASSWORD, BOOTSTRAP_TIMEOUT_SECONDS: String(timeoutSeconds) },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`bootstrap failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`);
    });
    return stdout;
  }

  /** Runs the preStop hook of `node` as the kubelet does before stopping the pod; returns its output. */
  public async preStop(node: RedisNode): Promise<string> {
    const { stdout, stderr } = await run('sh', [this.script('prestop.sh'), String(node.port)], {
      env: { ...process.env, REDISCLI_AUTH: PASSWORD, PRESTOP_FAILOVER_SECONDS: '20' },
    });
    return stdout + stderr;
  }

  /** Stops the node as the kubelet does after preStop (SIGTERM: a clean shutdown) and waits for it to exit. */
  public async terminate(node: RedisNode): Promise<void> {
    const p = node.process!;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  /** Starts a stopped node again from its own data directory (nodes.conf, AOF), as a restarted pod. */
  public async restart(node: RedisNode): Promise<void> {
    const old = node.process;
    if (old && old.exitCode === null && old.signalCode === null) await new Promise((r) => old.once('exit', r));
    // As the kubelet restarts a container that exits at start-up: a start that fails (seen rarely on a loaded
    // machine, exit 1 right after a SIGKILL) is tried again, and the error after the last try quotes the log.
    for (let attempt = 1; ; attempt++) {
      this.launch(node);
      try {
        await waitForPort(node.port, node.process!);
        return;
      } catch (e) {
        const log = fs.readFileSync(path.join(node.dir, 'redis.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
        if (attempt >= 3) throw new Error(`${(e as Error).message}; its log ends: ${log}`, { cause: e });
        if (/corrupted cluster config file/.test(log)) reconcileShardIds(path.join(node.dir, 'nodes.conf'));
        await sleep(1000);
      }
    }
  }

  private kube?: { api: FakeKubeApi; url: string };

  /** Events the rebalancer recorded through the (loopback) Kubernetes API. */
  public get events(): readonly { reason: string; type: string; message: string; involvedObject: { name: string } }[] {
    return this.kube?.api.events ?? [];
  }

  /**
   * One pass of `topology.py rebalance --once`, as the rebalancer Deployment runs every 30 s, against a loopback
   * Kubernetes API listing the nodes as pods with their zones. Returns the pass's outcome and output.
   */
  public async rebalance(): Promise<{ outcome: string; output: string }> {
    if (!this.kube) {
      const api = new FakeKubeApi('web', () => this.nodes.map((n) => ({ name: `redis-${n.index}`, zone: n.zone, port: n.port })));
      this.kube = { api, url: await api.start(this.root) };
    }
    this.script('placement.py');
    const args = ['-B', this.script('topology.py'), 'rebalance', 'web', 'app.kubernetes.io/name=redis', '--once'];
    const env = { ...process.env, REDISCLI_AUTH: PASSWORD, KUBE_API: this.kube.url, SA_DIR: this.root };
    const result = await run(PYTHON, args, { env }).catch((e: { stdout: string; stderr: string }) => e);
    const output = result.stdout + result.stderr;
    return { outcome: /rebalance: (\w+)\s*$/.exec(result.stdout)?.[1] ?? 'none', output };
  }

  /**
   * Runs rebalance passes until one finds nothing to move (at most `passes`); returns the moves made. One failed pass
   * is run again, as the Deployment runs the next pass 30 s later: with two Valkey suites side by side on 2 cores, a
   * manual failover once took over the pass's 15 s.
   */
  public async rebalanceUntilBalanced(passes = 4): Promise<number> {
    let moves = 0;
    let failed = 0;
    for (let i = 0; i < passes + failed; i++) {
      const { outcome, output } = await this.rebalance();
      if (outcome === 'balanced') return moves;
      if (outcome === 'failed' && failed++ === 0) {
        process.stdout.write(`rebalance pass ${i + 1} failed and is run again:\n${output}\n`);
        await this.waitForSettled();
        continue;
      }
      if (outcome !== 'moved') throw new Error(`rebalance pass ${i + 1}: ${outcome}\n${output}`);
      moves++;
      await this.waitForSettled();
    }
    throw new Error(`still not balanced after ${passes} passes`);
  }

  /** Masters serving slots per zone, as `via` (a live node) sees them. */
  public async mastersPerZone(via?: RedisNode): Promise<Record<string, number>> {
    const topo = await this.topology(via ?? this.live()[0]);
    const out: Record<string, number> = {};
    for (const n of this.nodes) out[n.zone] ??= 0;
    for (const [port, t] of topo) if (t.role === 'master') out[this.nodes.find((n) => n.port === port)!.zone]++;
    return out;
  }

  /**
   * Waits until every node answers, the cluster is ok, every shard has its master and replicas, and every replica
   * is in sync: the state a rolling update waits for (readiness) before stopping the next pod.
   */
  public async waitForSettled(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const remaining = Math.max(1000, deadline - Date.now());
        for (const n of this.nodes) await this.waitForClusterOk(n, remaining);
        await this.waitForTopology(this.nodes[0], remaining);
        await this.waitForReplicasInSync(remaining);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(200);
      }
    }
  }

  /** Nodes whose process runs (not killed, not exited). */
  public live(): RedisNode[] {
    return this.nodes.filter((n) => n.process && n.process.exitCode === null && !n.process.killed);
  }

  public client(node: RedisNode): Redis {
    return new Redis({
      host: '127.0.0.1',
      port: node.port,
      password: PASSWORD,
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 2000,
    });
  }

  public cluster(): Cluster {
    return new Cluster(
      this.live().map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { password: PASSWORD }, natMap: undefined, slotsRefreshTimeout: 2000 },
    );
  }

  /** `{ port: { role, masterPort? } }` from CLUSTER NODES as one live node sees it. */
  public async topology(via: RedisNode): Promise<Map<number, { role: 'master' | 'replica'; id: string; masterId?: string }>> {
    const c = this.client(via);
    try {
      const text = (await c.call('CLUSTER', 'NODES')) as string;
      const out = new Map<number, { role: 'master' | 'replica'; id: string; masterId?: string }>();
      for (const line of text.trim().split('\n')) {
        const [id, addr, flags, master] = line.split(' ');
        if (flags.includes('fail')) continue;
        const port = Number(addr.split('@')[0].split(':').pop());
        out.set(port, { role: flags.includes('master') ? 'master' : 'replica', id, masterId: master === '-' ? undefined : master });
      }
      return out;
    } finally {
      c.disconnect();
    }
  }

  /**
   * Waits until `via` sees every shard's master and replicas, each replica with its master (a new replica is gossiped
   * as a master at first, then as a replica of a master not yet known).
   */
  public async waitForTopology(via: RedisNode, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const roles = [...(await this.topology(via)).values()];
      const masters = new Set(roles.filter((r) => r.role === 'master').map((r) => r.id));
      const replicas = roles.filter((r) => r.role === 'replica' && masters.has(r.masterId!)).length;
      if (masters.size === this.options.shards && replicas === this.options.shards * this.options.replicasPerShard) return;
      if (Date.now() > deadline)
        throw new Error(`topology never settled: ${masters.size} masters, ${replicas} replicas with a known master`);
      await sleep(50);
    }
  }

  /** Waits until every replica has finished its first sync (only then is it eligible for failover). */
  public async waitForReplicasInSync(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const node of this.live()) {
      const c = this.client(node);
      try {
        for (;;) {
          const info = (await c.info('replication')) as string;
          if (info.includes('role:master') || info.includes('master_link_status:up')) break;
          if (Date.now() > deadline) throw new Error(`replica on ${node.port} never finished its first sync`);
          await sleep(50);
        }
      } finally {
        c.disconnect();
      }
    }
  }

  /**
   * Writes `perMaster` keys to each master and keeps those that at least one replica acknowledged (WAIT 1), the
   * guarantee a failover must honour.
   */
  public async writeAcknowledged(perMaster: number, prefix = 'key'): Promise<Map<string, string>> {
    const topo = await this.topology(this.live()[0]);
    const acked = new Map<string, string>();
    for (const [port, t] of topo) {
      if (t.role !== 'master') continue;
      const node = this.nodes.find((n) => n.port === port)!;
      const c = this.client(node);
      try {
        const slots = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const owned = slots.filter((s) => s[2][1] === port).map((s) => [s[0], s[1]] as const);
        if (owned.length === 0) throw new Error(`master ${port} serves no slots`);
        let written = 0;
        for (let i = 0; written < perMaster; i++) {
          const key = `${prefix}:${i}`;
          const slot = calculateSlot(key);
          if (!owned.some(([a, b]) => slot >= a && slot <= b)) continue;
          const value = `value-${i}-${port}`;
          await c.set(key, value);
          const replicas = (await c.call('WAIT', '1', '2000')) as number;
          if (replicas >= 1) acked.set(key, value);
          written++;
        }
      } finally {
        c.disconnect();
      }
    }
    return acked;
  }

  /**
   * SIGKILLs the master on `port` and returns the seconds until its replica answers ROLE as master, measured by
   * the replica's role (survivors keep saying cluster_state:ok until the failure is agreed).
   */
  public async killMasterAndTimeFailover(port: number, timeoutMs = 30000): Promise<{ seconds: number; newMaster: RedisNode }> {
    const topo = await this.topology(this.nodes.find((n) => n.port !== port)!);
    const masterId = topo.get(port)!.id;
    const replicas = [...topo.entries()].filter(([, t]) => t.masterId === masterId).map(([p]) => this.nodes.find((n) => n.port === p)!);
    const victim = this.nodes.find((n) => n.port === port)!;
    const clients = replicas.map((r) => this.client(r));
    try {
      const t0 = process.hrtime.bigint();
      victim.process!.kill('SIGKILL');
      for (;;) {
        const roles = await Promise.all(clients.map((c) => c.call('ROLE') as Promise<[string]>));
        const promoted = roles.findIndex((r) => r[0] === 'master');
        if (promoted >= 0) return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, newMaster: replicas[promoted] };
        if (Number(process.hrtime.bigint() - t0) / 1e6 > timeoutMs) throw new Error(`no failover within ${timeoutMs} ms`);
        await sleep(20);
      }
    } finally {
      for (const c of clients) c.disconnect();
    }
  }

  /** The live node serving each slot range, as `via` sees it: `[first, last, port]`. */
  public async slotOwners(via: RedisNode): Promise<[number, number, number][]> {
    const c = this.client(via);
    try {
      const slots = (await c.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      return slots.map((s) => [s[0], s[1], s[2][1]]);
    } finally {
      c.disconnect();
    }
  }

  /**
   * SIGKILLs every node of `zone` at once and returns the seconds until every one of the 16384 slots is served by a
   * live master that accepts a write (a key hashed into each slot range is SET on its owner directly).
   */
  public async killZoneAndTimeRecovery(zone: string, timeoutMs = 30000): Promise<{ seconds: number; survivor: RedisNode }> {
    const victims = this.nodes.filter((n) => n.zone === zone);
    const survivor = this.nodes.find((n) => n.zone !== zone)!;
    const t0 = process.hrtime.bigint();
    for (const v of victims) v.process!.kill('SIGKILL');
    const dead = new Set(victims.map((v) => v.port));
    for (;;) {
      if (await this.allSlotsWritable(survivor, dead)) return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, survivor };
      if (Number(process.hrtime.bigint() - t0) / 1e6 > timeoutMs) throw new Error(`slots not all served within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  private async allSlotsWritable(via: RedisNode, dead: ReadonlySet<number>): Promise<boolean> {
    const owners = await this.slotOwners(via);
    const covered = owners.reduce((n, [a, b]) => n + (b - a + 1), 0);
    if (covered !== 16384 || owners.some(([, , port]) => dead.has(port))) return false;
    for (const [first, last, port] of owners) {
      let i = 0;
      while (calculateSlot(`probe:${i}`) < first || calculateSlot(`probe:${i}`) > last) i++;
      const key = `probe:${i}`;
      const c = this.client(this.nodes.find((n) => n.port === port)!);
      try {
        if ((await c.set(key, 'x').catch(() => 'error')) !== 'OK') return false;
      } finally {
        c.disconnect();
      }
    }
    return true;
  }

  /** Stops the node's process (SIGSTOP) for `ms`, as a long command, a slow fork or a VM pause would. */
  public async stall(node: RedisNode, ms: number): Promise<void> {
    node.process!.kill('SIGSTOP');
    await sleep(ms);
    node.process!.kill('SIGCONT');
  }

  public async waitForClusterOk(via: RedisNode, timeoutMs = 30000): Promise<void> {
    const c = this.client(via);
    const deadline = Date.now() + timeoutMs;
    try {
      while (!((await c.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('cluster_state never became ok');
        await sleep(50);
      }
    } finally {
      c.disconnect();
    }
  }

  public async stop(): Promise<void> {
    await this.kube?.api.stop();
    const running = this.nodes
      .map((n) => n.process)
      .filter((p): p is ChildProcess => p !== undefined && p.exitCode === null && p.signalCode === null);
    await Promise.all(
      running.map((p) => {
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        return exited;
      }),
    );
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * What Valkey 8.1.2+ does when it loads a nodes.conf whose replica has another shard id than its primary
 * (valkey-io/valkey#2171, fixed by #2174): every node takes its primary's shard id. The valkey-server 8.0.1 of
 * Debian's backports has neither that nor #573 (8.0.3, 8.1.1), which keeps the ids from diverging, and refuses to
 * start ("corrupted cluster config file", 1 run in ~10 of the restart suites). The platform runs valkey/valkey:8.1.3;
 * the harness repairs the file as that release would, so the suites test the platform, not an old server's bug.
 */
export function reconcileShardIds(file: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const fields = lines.map((l) => l.split(' '));
  const shardOf = new Map<string, string>();
  for (const f of fields) {
    const shard = /,shard-id=([0-9a-f]+)/.exec(f[1] ?? '')?.[1];
    if (shard && f[3] === '-') shardOf.set(f[0], shard);
  }
  const repaired = fields.map((f, i) => {
    const primary = f[3] && f[3] !== '-' ? shardOf.get(f[3]) : undefined;
    return primary ? [f[0], f[1].replace(/,shard-id=[0-9a-f]+/, `,shard-id=${primary}`), ...f.slice(2)].join(' ') : lines[i];
  });
  fs.writeFileSync(file, repaired.join('\n'));
}
