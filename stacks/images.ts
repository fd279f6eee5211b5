import { Environment } from './environment';

/**
 * Third-party images the stacks run, by repository and pinned tag. Every image is pulled through the
 * environment's registry (an ECR pull-through cache online, the site registry offline), so air-gapped sites mirror
 * exactly this list.
 */
export const THIRD_PARTY_IMAGES = {
  // The key-value tier: Valkey by default; Redis 7.2.x (the last BSD-licensed line) where an environment chooses it.
  valkey: 'valkey/valkey:8.1.3',
  redis: 'library/redis:7.2.5',
  // Reads Valkey and Redis alike (INFO, CLUSTER INFO); 1.74+ also labels valkey_version.
  redisExporter: 'oliver006/redis_exporter:v1.75.0',
  postgres: 'cloudnative-pg/postgresql:16.4',
  pgbouncer: 'cloudnative-pg/pgbouncer:1.23.0',
  k6: 'grafana/k6:0.54.0',
  curl: 'curlimages/curl:8.11.1',
  // Runs perfstack's own programs (remediation runner, weekly report), bundled at synth into ConfigMaps
  // (constructs/core/node-tool.ts). Node.js 24 LTS, supported until April 2028.
  node: 'library/node:24.20.0-trixie-slim',
} as const;

export function thirdPartyImage(env: Environment, image: keyof typeof THIRD_PARTY_IMAGES): string {
  return `${env.imageRegistry}/${THIRD_PARTY_IMAGES[image]}`;
}
