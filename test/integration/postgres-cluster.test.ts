import { synchronousStandbyNames } from '../../constructs/data/postgres-config';
import { prod } from '../../stacks/prod';
import { describeWithPrograms } from './support/programs';
import { PostgresHarness } from './support/postgres-harness';
import { freePorts } from './support/ports';
import { synthesized } from './support/synthesized';

const cluster = synthesized(prod, 'Cluster', 'postgres');
const pooler = synthesized(prod, 'Pooler', 'postgres-pooler-rw');
const parameters: Record<string, string> = cluster.spec.postgresql.parameters;

describeWithPrograms(
  'PostgreSQL with the synthesized prod parameters, on real postgres',
  ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'psql'],
  () => {
    const pg = new PostgresHarness();
    let PRIMARY: number;
    let REPLICA: number;
    const sync = cluster.spec.minSyncReplicas;

    beforeAll(async () => {
      [PRIMARY, REPLICA] = await freePorts(2);
      // What CloudNativePG sets for minSyncReplicas = maxSyncReplicas = 1: a quorum of one standby.
      await pg.initPrimary('primary', PRIMARY, parameters, { synchronous_standby_names: synchronousStandbyNames(['replica1'], sync) });
      await pg.start('primary');
      await pg.initReplica('replica1', REPLICA, PRIMARY, 'replica1', parameters);
      await pg.start('replica1');
    }, 120000);
    afterAll(() => pg.stop());

    it('accepts every computed parameter as it is', async () => {
      // postgres refuses to start on an invalid value; each one must also be in force, from our file.
      const names = Object.keys(parameters);
      const sources = await pg.psql(
        PRIMARY,
        `select name || '=' || source from pg_settings where name in (${names.map((n) => `'${n}'`).join(', ')}) order by name`,
      );
      expect(sources.split('\n')).toEqual(names.sort().map((n) => `${n}=configuration file`));
      expect(await pg.psql(PRIMARY, 'show max_connections')).toBe(parameters.max_connections);
      expect(await pg.psql(PRIMARY, 'show shared_buffers')).toBe('4GB');
      expect(await pg.psql(PRIMARY, 'show effective_cache_size')).toBe('12GB');
      expect(await pg.psql(PRIMARY, 'show work_mem')).toBe('16MB');
    });

    it('replicates synchronously to the standby', async () => {
      expect(sync).toBe(1);
      expect(await pg.psql(PRIMARY, "select application_name || ':' || sync_state from pg_stat_replication")).toBe('replica1:quorum');
    });

    it('keeps every committed row when the primary is SIGKILLed and the replica promoted', async () => {
      await pg.psql(PRIMARY, 'create table orders (id int primary key, note text)');
      const rows = 500;
      // One statement per transaction: each COMMIT returns only once the synchronous standby has it.
      const inserts = Array.from({ length: rows }, (_, i) => `insert into orders values (${i + 1}, 'order ${i + 1}');`).join('\n');
      await pg.psql(PRIMARY, inserts);
      pg.killHard('primary');
      await pg.promote('replica1');
      expect(await pg.psql(REPLICA, 'select pg_is_in_recovery()')).toBe('f');
      expect(await pg.psql(REPLICA, 'select count(*) || ' + "':'" + ' || max(id) from orders')).toBe(`${rows}:${rows}`);
    }, 60000);
  },
);

describeWithPrograms(
  'PgBouncer with the synthesized prod pooler settings, on real pgbouncer',
  ['initdb', 'pg_ctl', 'postgres', 'psql', 'pgbench', 'pgbouncer'],
  () => {
    const pg = new PostgresHarness();
    let POSTGRES: number;
    let BOUNCER: number;
    const poolSize = Number(pooler.spec.pgbouncer.parameters.default_pool_size);
    const reserve = Number(pooler.spec.pgbouncer.parameters.reserve_pool_size);

    beforeAll(async () => {
      [POSTGRES, BOUNCER] = await freePorts(2);
      await pg.initPrimary('db', POSTGRES, parameters);
      await pg.start('db');
      await pg.psql(POSTGRES, 'create database bench');
      const init = await pg.pgbench(['-i', '-s', '1', '-q', '-h', '127.0.0.1', '-p', String(POSTGRES), '-U', 'postgres', 'bench']);
      if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
      await pg.startPgbouncer(BOUNCER, POSTGRES, 'bench', pooler.spec.pgbouncer.poolMode, pooler.spec.pgbouncer.parameters);
    }, 120000);
    afterAll(() => pg.stop());

    it('runs in transaction mode with room for 1000 clients', () => {
      expect(pooler.spec.pgbouncer.poolMode).toBe('transaction');
      expect(Number(pooler.spec.pgbouncer.parameters.max_client_conn)).toBeGreaterThanOrEqual(1000);
    });

    it('serves 1000 concurrent clients without a connection error, using at most the pool in server connections', async () => {
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const n = Number(
            await pg.psql(POSTGRES, "select count(*) from pg_stat_activity where datname = 'bench' and backend_type = 'client backend'"),
          );
          peak = Math.max(peak, n);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      // pgbench opens every connection before its clock starts: two seconds of all 1000 clients at once.
      const r = await pg.selectOnly(BOUNCER, 1000, 2, 'bench');
      sampling = false;
      await sampler;
      expect(r.stderr).not.toMatch(/error|could not connect/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/number of clients: 1000/);
      expect(r.stdout).toMatch(/number of failed transactions: 0 /);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(poolSize + reserve);
    }, 120000);

    it('is needed: the same 1000 clients straight to postgres are refused', async () => {
      // Refused while connecting, before any run time counts.
      const r = await pg.selectOnly(POSTGRES, 1000, 1, 'bench');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/too many clients/);
    }, 120000);
  },
);
