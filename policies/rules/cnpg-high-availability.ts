import { Rule } from '../types';

export const cnpgHighAvailability: Rule = {
  id: 'cnpg-high-availability',
  title: 'Production PostgreSQL has replicas; poolers use transaction mode',
  severity: 'error',
  rationale: 'A single instance has no failover target; session pooling holds a server connection per client and defeats the pooler.',
  url: 'https://cloudnative-pg.io/documentation/current/replication/',
  check: (o, ctx) => {
    if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/') && ctx.production && (o.spec?.instances ?? 1) < 2) {
      return [`runs ${o.spec?.instances ?? 1} instance; production needs a primary and at least one replica`];
    }
    if (o.kind === 'Pooler' && o.apiVersion.startsWith('postgresql.cnpg.io/') && o.spec?.pgbouncer?.poolMode !== 'transaction') {
      return [`pools in '${o.spec?.pgbouncer?.poolMode ?? 'session'}' mode; use 'transaction'`];
    }
    return [];
  },
};
