import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { prod } from '../../stacks/prod';
import { PostgresHarness } from './support/postgres-harness';
import { freePort, freePorts } from './support/ports';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

/**
 * The API calls of a restore drill as CloudNativePG would answer them: the drill Cluster does not exist, is created,
 * is healthy at the next look (the restore itself was done by the real postgres above), has a superuser Secret, and
 * is deleted at the end.
 */
function fakeCnpgApi(calls: string[]): http.Server {
  let created = false;
  return http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (d) => body.push(d));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const json = (code: number, o: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(o));
      const cluster = /^\/apis\/postgresql\.cnpg\.io\/v1\/namespaces\/web\/clusters(\/postgres-drill)?$/.exec(req.url!);
      if (cluster && req.method === 'POST') {
        created = true;
        json(201, JSON.parse(Buffer.concat(body).toString()));
      } else if (cluster && req.method === 'GET') {
        if (created) json(200, { status: { readyInstances: 1, phase: 'Cluster in healthy state' } });
        else json(404, { message: 'not found' });
      } else if (cluster && req.method === 'DELETE') {
        const existed = created;
        created = false;
        json(existed ? 200 : 404, {});
      } else if (req.url === '/api/v1/namespaces/web/secrets/postgres-drill-superuser') {
        json(200, { data: { password: Buffer.from('unused-with-trust').toString('base64') } });
      } else json(404, { message: 'not found' });
    });
  });
}

describeWithPrograms(
  'PostgreSQL restore of a base backup plus archived WAL, with the synthesized prod parameters, on real postgres',
  ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'psql', 'python3'],
  () => {
    const parameters = synthesized(prod, 'Cluster', 'postgres').spec.postgresql.parameters;
    const pg = new PostgresHarness();
    let PRIMARY: number;
    let RESTORED: number;
    const archive = path.join(pg.root, 'wal-archive');

    beforeAll(async () => {
      [PRIMARY, RESTORED] = await freePorts(2);
      fs.mkdirSync(archive, { mode: 0o777 });
      fs.chmodSync(archive, 0o777);
      // What barman-cloud does for CloudNativePG, with a directory for the object store.
      await pg.initPrimary('primary', PRIMARY, parameters, {
        archive_mode: 'on',
        archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f`,
      });
      await pg.start('primary');
    }, 120000);
    afterAll(() => pg.stop());

    it('recovers every row committed before the last archived WAL segment, including rows written after the base backup', async () => {
      await pg.psql(PRIMARY, 'create table orders (id int primary key, note text)');
      await pg.psql(PRIMARY, "insert into orders select g, 'before backup' from generate_series(1, 1000) g");
      const backup = await pg.baseBackup('base-backup', PRIMARY);
      await pg.psql(PRIMARY, "insert into orders select g, 'after backup' from generate_series(1001, 1500) g");
      await pg.psql(PRIMARY, "update orders set note = note || ' (updated)' where id % 100 = 0");
      // The segment holding the last commits is archived when it is switched (archive_timeout does this in a cluster).
      const last = await pg.psql(PRIMARY, 'select pg_walfile_name(pg_switch_wal())');
      const deadline = Date.now() + 30000;
      while ((await pg.psql(PRIMARY, "select coalesce(last_archived_wal, '') from pg_stat_archiver")) < last) {
        if (Date.now() > deadline) throw new Error(`WAL ${last} never archived`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const expected = await pg.psql(
        PRIMARY,
        "select count(*) || ':' || sum(id) || ':' || count(*) filter (where note like '%(updated)') from orders",
      );
      pg.killHard('primary');

      const t0 = Date.now();
      await pg.restoreInto('restored', RESTORED, backup, `cp ${archive}/%f %p`, parameters);
      await pg.start('restored');
      while ((await pg.psql(RESTORED, 'select pg_is_in_recovery()')) !== 'f') {
        if (Date.now() - t0 > 60000) throw new Error('restored instance never finished recovery');
        await new Promise((r) => setTimeout(r, 50));
      }
      process.stdout.write(`postgres restore: base backup + WAL recovered and promoted in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

      expect(expected).toBe('1500:1125750:15');
      expect(
        await pg.psql(RESTORED, "select count(*) || ':' || sum(id) || ':' || count(*) filter (where note like '%(updated)') from orders"),
      ).toBe(expected);
      // Usable: it takes writes on a new timeline.
      await pg.psql(RESTORED, "insert into orders values (1501, 'after restore')");
      expect(await pg.psql(RESTORED, 'select count(*) from orders')).toBe('1501');
    }, 120000);

    it('runs the synthesized restore drill against the restored instance: usable, newest data age measured, cleaned up', async () => {
      const drill = synthesized(prod, 'ConfigMap', 'postgres-restore-drill').data;
      const command: string[] = synthesized(prod, 'CronJob', 'postgres-restore-drill').spec.jobTemplate.spec.template.spec.containers[0]
        .command;
      fs.writeFileSync(path.join(pg.root, 'drill.py'), drill['drill.py']);
      fs.writeFileSync(path.join(pg.root, 'cluster.json'), drill['cluster.json']);
      fs.writeFileSync(path.join(pg.root, 'token'), 'token\n');
      const calls: string[] = [];
      const api = fakeCnpgApi(calls);
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      const metricsPort = await freePort();
      try {
        const [, , , namespace, , timeout, maxAge] = command;
        const child = spawn(
          'python3',
          ['-B', path.join(pg.root, 'drill.py'), namespace, path.join(pg.root, 'cluster.json'), timeout, maxAge],
          {
            env: {
              ...process.env,
              KUBE_API: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
              SA_DIR: pg.root,
              DRILL_PGHOST: '127.0.0.1',
              PGPORT: String(RESTORED),
              TERMINATION_LOG: path.join(pg.root, 'termination-log'),
              METRICS_PORT: String(metricsPort),
              METRICS_SECONDS: '1',
              POLL_SECONDS: '0.2',
            },
          },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const scrape = () =>
          new Promise<string>((resolve, reject) =>
            http
              .get(`http://127.0.0.1:${metricsPort}/metrics`, (res) => {
                let text = '';
                res.on('data', (d) => (text += d));
                res.on('end', () => resolve(text));
              })
              .on('error', reject),
          );
        // The figures are served from the verdict until METRICS_SECONDS later; the server starts just after the verdict.
        let metrics = '';
        while (!metrics && child.exitCode === null) {
          metrics = /drill: (passed|FAILED)/.test(out) ? await scrape().catch(() => '') : '';
          if (!metrics) await new Promise((r) => setTimeout(r, 50));
        }
        const code = await new Promise<number>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c ?? -1))));
        expect(out).toMatch(/drill: passed/);
        expect(code).toBe(0);
        expect(metrics).toMatch(/^perfstack_restore_drill_success\{cluster="postgres"\} 1$/m);
        expect(metrics).toMatch(/^perfstack_restore_drill_restore_seconds\{cluster="postgres"\} \d/m);
        // The last commit replayed was written seconds ago, in the test above.
        const age = Number(/^perfstack_restore_drill_newest_data_age_seconds\{cluster="postgres"\} (\S+)$/m.exec(metrics)![1]);
        expect(age).toBeGreaterThan(0);
        expect(age).toBeLessThan(600);
        expect(JSON.parse(fs.readFileSync(path.join(pg.root, 'termination-log'), 'utf8'))).toMatchObject({ problems: [], success: 1 });
        expect(calls.filter((c) => c.startsWith('POST') || c.startsWith('DELETE'))).toEqual([
          'DELETE /apis/postgresql.cnpg.io/v1/namespaces/web/clusters/postgres-drill',
          'POST /apis/postgresql.cnpg.io/v1/namespaces/web/clusters',
          'DELETE /apis/postgresql.cnpg.io/v1/namespaces/web/clusters/postgres-drill',
        ]);
      } finally {
        api.close();
      }
    }, 60000);
  },
);
