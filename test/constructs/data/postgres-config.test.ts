import { Size } from 'cdk8s';
import fc from 'fast-check';
import {
  pgbouncerParameters,
  poolerMaxClientConn,
  poolerServerConnections,
  postgresParameters,
  synchronousStandbyNames,
} from '../../../constructs/data/postgres-config';

describe('postgresParameters', () => {
  it('has the values of DESIGN.md for a 16 GiB instance', () => {
    expect(postgresParameters(Size.gibibytes(16))).toMatchObject({
      max_connections: '200',
      shared_buffers: '4096MB',
      effective_cache_size: '12288MB',
      work_mem: '16MB',
      maintenance_work_mem: '256MB',
      checkpoint_completion_target: '0.9',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
    });
  });

  it('keeps shared_buffers at 25% and effective_cache_size at 75% of any memory limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 1024 * 1024 }), (mib) => {
        const p = postgresParameters(Size.mebibytes(mib));
        return p.shared_buffers === `${Math.floor(mib / 4)}MB` && p.effective_cache_size === `${Math.floor((mib * 3) / 4)}MB`;
      }),
    );
  });
});

describe('PgBouncer settings', () => {
  it('pool 25 server connections for up to 1000 clients by default', () => {
    expect(pgbouncerParameters()).toMatchObject({ default_pool_size: '25', max_client_conn: '1000' });
    expect(poolerServerConnections(2)).toBe(60);
  });
});

describe('synchronousStandbyNames', () => {
  it('asks a quorum of the standbys, as CloudNativePG does', () => {
    expect(synchronousStandbyNames(['pg-2', 'pg-3'], 1)).toBe('ANY 1 ("pg-2", "pg-3")');
    expect(synchronousStandbyNames(['pg-2'], 0)).toBe('');
  });
});

describe('poolerMaxClientConn', () => {
  it('gives each PgBouncer instance the target clients over the survivors of one loss, plus 10%', () => {
    expect(poolerMaxClientConn(1000, 2)).toBe(1100);
    expect(poolerMaxClientConn(1000, 3)).toBe(550);
    expect(poolerMaxClientConn(3000, 4)).toBe(1100);
  });
});
