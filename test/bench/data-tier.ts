/**
 * Data-tier figures on the real programs, with the synthesized prod configuration: Redis failover seconds, pgbench
 * TPS through PgBouncer versus direct, and the most concurrent clients PgBouncer serves without an error.
 */
import { prod } from '../../stacks/prod';
import { PostgresHarness } from '../integration/support/postgres-harness';
import { which } from '../integration/support/programs';
import { RedisHarness } from '../integration/support/redis-harness';
import { synthesized, synthesizedRedisOptions } from '../integration/support/synthesized';

export interface DataRow {
  readonly case: string;
  readonly value: string;
  readonly note: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function redisFailover(kills = 3): Promise<DataRow[]> {
  if (!which('valkey-server') || !which('python3'))
    return [{ case: 'redis failover', value: 'skipped', note: 'apt-get install -t bookworm-backports valkey-server' }];
  const options = synthesizedRedisOptions(prod);
  const samples: number[] = [];
  for (let i = 0; i < kills; i++) {
    const h = new RedisHarness({
      ...options,
      shards: 3,
      replicasPerShard: 1,
      basePort: 18000 + i * 10,
    });
    try {
      await h.start();
      await h.bootstrap();
      await h.waitForClusterOk(h.nodes[0]);
      await h.waitForTopology(h.nodes[0]);
      await h.waitForReplicasInSync();
      const topo = await h.topology(h.nodes[0]);
      const victim = [...topo.entries()].find(([, t]) => t.role === 'master')![0];
      samples.push((await h.killMasterAndTimeFailover(victim)).seconds);
    } finally {
      await h.stop();
    }
  }
  const timeout = /^cluster-node-timeout (\d+)$/m.exec(options.redisConf)![1];
  return [
    {
      case: `redis failover, SIGKILL of a master to replica promoted (median of ${kills})`,
      value: `${median(samples).toFixed(2)} s`,
      note: `samples ${samples.map((s) => s.toFixed(2)).join(', ')}; cluster-node-timeout ${timeout} ms; target <= 5 s`,
    },
  ];
}

function tps(out: string): number {
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
  return m ? Number(m[1]) : NaN;
}

export async function pgbouncerThroughput(seconds = 10): Promise<DataRow[]> {
  if (!['initdb', 'pg_ctl', 'psql', 'pgbench', 'pgbouncer'].every((p) => which(p))) {
    return [{ case: 'pgbench through PgBouncer', value: 'skipped', note: 'apt-get install postgresql postgresql-contrib pgbouncer' }];
  }
  const cluster = synthesized(prod, 'Cluster', 'postgres');
  const pooler = synthesized(prod, 'Pooler', 'postgres-pooler-rw');
  const pg = new PostgresHarness();
  const POSTGRES = 15452;
  const BOUNCER = 16452;
  try {
    await pg.initPrimary('db', POSTGRES, cluster.spec.postgresql.parameters);
    await pg.start('db');
    await pg.psql(POSTGRES, 'create database bench');
    await pg.pgbench(['-i', '-s', '10', '-q', '-h', '127.0.0.1', '-p', String(POSTGRES), '-U', 'postgres', 'bench']);
    await pg.startPgbouncer(BOUNCER, POSTGRES, 'bench', pooler.spec.pgbouncer.poolMode, pooler.spec.pgbouncer.parameters);
    const bench = (port: number, clients: number, secs: number) => pg.selectOnly(port, clients, secs, 'bench');
    const direct = tps((await bench(POSTGRES, 50, seconds)).stdout);
    const pooled = tps((await bench(BOUNCER, 50, seconds)).stdout);
    let served = 0;
    const tried: string[] = [];
    for (const clients of [250, 500, 1000, 1500, 2000]) {
      const r = await bench(BOUNCER, clients, 5);
      const ok = r.code === 0 && /number of failed transactions: 0 /.test(r.stdout);
      tried.push(`${clients}:${ok ? 'ok' : `errors (${r.stderr.split('\n').find((l) => /error/i.test(l)) ?? r.code})`}`);
      if (!ok) break;
      served = clients;
    }
    return [
      { case: 'pgbench select-only TPS, 50 clients, direct to postgres', value: direct.toFixed(0), note: `${seconds} s, scale 10` },
      {
        case: 'pgbench select-only TPS, 50 clients, through PgBouncer (transaction mode)',
        value: pooled.toFixed(0),
        note: `ratio pooled/direct ${(pooled / direct).toFixed(2)}`,
      },
      {
        case: 'most concurrent clients through PgBouncer without an error',
        value: String(served),
        note: `${tried.join(', ')} (max_client_conn ${pooler.spec.pgbouncer.parameters.max_client_conn})`,
      },
    ];
  } finally {
    await pg.stop();
  }
}
