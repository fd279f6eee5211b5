import * as fs from 'fs';
import * as path from 'path';
import { prod } from '../../stacks/prod';
import { PostgresHarness } from './support/postgres-harness';
import { describeWithPrograms } from './support/programs';
import { synthesized } from './support/synthesized';

describeWithPrograms(
  'PostgreSQL restore of a base backup plus archived WAL, with the synthesized prod parameters, on real postgres',
  ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup', 'psql'],
  () => {
    const parameters = synthesized(prod, 'Cluster', 'postgres').spec.postgresql.parameters;
    const pg = new PostgresHarness();
    const PRIMARY = 15462;
    const RESTORED = 15463;
    const archive = path.join(pg.root, 'wal-archive');

    beforeAll(async () => {
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
        await new Promise((r) => setTimeout(r, 200));
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
        await new Promise((r) => setTimeout(r, 200));
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
  },
);
