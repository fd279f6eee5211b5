import * as fs from 'fs';
import * as https from 'https';
import { RemediationPolicy } from '../constructs/observability/remediation-policy';
import { clearClusterPrefix } from './cache-clear';
import { KubeExecutor } from './kube-executor';
import { RemediationRunner } from './runner';

/**
 * The runner's entry in its pod: the policy from the ConfigMap, the API server through the ServiceAccount's token
 * and CA, outcomes and escalations to ALERTMANAGER_URL, cache clears to REDIS_CLUSTER_SEEDS with REDIS_PASSWORD (both set only
 * when the policy clears a cache). Arguments: `--policy=<file> --port=<n>`.
 */
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function arg(name: string, fallback?: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = found?.slice(name.length + 3) ?? fallback;
  if (value === undefined) throw new Error(`--${name}=... is required`);
  return value;
}

export function main(): void {
  const policy = JSON.parse(fs.readFileSync(arg('policy'), 'utf8')) as RemediationPolicy;
  // Elsewhere than in a pod (a test of the bundled file), the token and CA may be read from another folder.
  const SA = process.env.SERVICE_ACCOUNT_DIR ?? SA_DIR;
  const kube = {
    url: `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT ?? '443'}`,
    // Read on every call: the kubelet rotates the projected token.
    get token() {
      return fs.readFileSync(`${SA}/token`, 'utf8').trim();
    },
    agent: new https.Agent({ ca: fs.readFileSync(`${SA}/ca.crt`), keepAlive: true }),
  };
  const seeds = process.env.REDIS_CLUSTER_SEEDS;
  const clearCache = seeds
    ? (prefix: string, batch: number) => clearClusterPrefix(seeds, process.env.REDIS_PASSWORD, prefix, batch)
    : undefined;
  const executor = new KubeExecutor(kube, policy, process.env.ALERTMANAGER_URL ?? '', { setTimeout }, clearCache);
  const runner = new RemediationRunner({ policy, executor });
  runner.server().listen(Number(arg('port', '8080')));
  process.stdout.write(`${JSON.stringify({ started: true, dryRun: policy.dryRun, services: policy.services.map((s) => s.service) })}\n`);
}

if (require.main === module) main();
