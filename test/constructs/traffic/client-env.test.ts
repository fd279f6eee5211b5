import { Duration } from 'cdk8s';
import { Problems } from '../../../constructs/core/errors';
import { checkCallGraph } from '../../../constructs/traffic/call-graph';
import { dataTierClientEnv } from '../../../constructs/traffic/client-env';

describe('dataTierClientEnv', () => {
  it("hands each store's resolved timeout, attempts, backoff and pool limit to the client, not the service calls", () => {
    const p = new Problems('prod');
    const g = checkCallGraph(p, [
      {
        name: 'api',
        latencyThreshold: Duration.millis(200),
        replicasMax: 2,
        uses: ['redis', 'postgres'],
        dependencies: [{ kind: 'service', service: 'audit' }],
      },
      { name: 'audit', latencyThreshold: Duration.millis(200), replicasMax: 2 },
    ])!;
    const env = dataTierClientEnv(g.services.find((s) => s.name === 'api')!.dependencies);
    expect(env).toEqual({
      PERFSTACK_REDIS_TIMEOUT_MS: '100',
      PERFSTACK_REDIS_ATTEMPTS: '1',
      PERFSTACK_REDIS_BACKOFF_MS: '25',
      PERFSTACK_REDIS_MAX_CONNECTIONS: '32',
      PERFSTACK_POSTGRES_RW_TIMEOUT_MS: '100',
      PERFSTACK_POSTGRES_RW_ATTEMPTS: '1',
      PERFSTACK_POSTGRES_RW_BACKOFF_MS: '25',
      PERFSTACK_POSTGRES_RW_MAX_CONNECTIONS: '32',
      PERFSTACK_POSTGRES_RO_TIMEOUT_MS: '100',
      PERFSTACK_POSTGRES_RO_ATTEMPTS: '3',
      PERFSTACK_POSTGRES_RO_BACKOFF_MS: '25',
      PERFSTACK_POSTGRES_RO_MAX_CONNECTIONS: '32',
    });
  });
});
