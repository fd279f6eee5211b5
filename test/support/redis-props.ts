import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { RedisClusterProps } from '../../constructs/data/redis-cluster';

/** A three-zone RedisCluster with one replica per master and only the required props: the defaults apply. */
export const REDIS_PROPS: RedisClusterProps = {
  namespace: 'web',
  shards: 3,
  replicasPerShard: 1,
  zones: 3,
  memory: Size.gibibytes(2),
  cpu: Cpu.millis(500),
  storage: Size.gibibytes(10),
  auth: { secretName: 'redis-auth' },
  image: 'registry.example.com/valkey/valkey:8.1.3',
  exporterImage: 'registry.example.com/oliver006/redis_exporter:v1.75.0',
  placementImage: 'registry.example.com/cloudnative-pg/postgresql:16.4',
  apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
};
