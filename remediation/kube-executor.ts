import * as https from 'https';
import { REMEDIATION_DEFAULTS, RemediationAction, RemediationPolicy } from '../constructs/observability/remediation-policy';
import { PostableAlert, postAlerts } from './notifications';
import { AuditRecord, Executor } from './runner';

/** How the runner reaches the API server: in a pod, its ServiceAccount token and CA; in tests, the harness's. */
export interface KubeAccess {
  readonly url: string;
  readonly token: string;
  readonly agent: https.Agent;
}

interface Response {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The restart annotation `kubectl rollout restart` sets. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const REVISION = 'deployment.kubernetes.io/revision';

/**
 * The Kubernetes side of the runner: restart, raise the HPA floor (and put it back), roll back to the previous
 * ReplicaSet, write audit Events. Each call is one the Role of {@link policyRoleRules} allows, and no other.
 * Cache clear goes to the cache itself, through `clearCache` (remediation/cache-clear.ts in the pod).
 */
export class KubeExecutor implements Executor {
  private readonly rollouts = new Map<string, number>();

  constructor(
    private readonly kube: KubeAccess,
    private readonly policy: RemediationPolicy,
    private readonly alertmanagerUrl: string,
    private readonly timers: { setTimeout: (f: () => void, ms: number) => unknown } = { setTimeout },
    /** Deletes the keys under a prefix; absent where the policy has no cache clear (the pod then has no cache access). */
    private readonly clearCache?: (prefix: string, batch: number) => Promise<string>,
  ) {}

  private call(method: string, path: string, body?: unknown, contentType = 'application/strategic-merge-patch+json'): Promise<Response> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        new URL(path, this.kube.url),
        {
          method,
          agent: this.kube.agent,
          headers: {
            authorization: `Bearer ${this.kube.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> {
    const r = await this.call(method, path, body, contentType);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${String(r.body.message ?? '')}`);
    return r.body;
  }

  private deployment(service: string): string {
    return `/apis/apps/v1/namespaces/${this.policy.namespace}/deployments/${service}`;
  }

  public async run(service: string, action: RemediationAction): Promise<string> {
    switch (action.kind) {
      case 'restart':
        await this.ok('PATCH', this.deployment(service), {
          spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date().toISOString() } } } },
        });
        return 'restarted';
      case 'scale':
        return this.raiseFloor(service, action.by, action.minutes);
      case 'rollback':
        return this.rollback(service);
      case 'cacheClear':
        if (!this.clearCache) throw new Error('cache clear has no cache to reach: REDIS_CLUSTER_SEEDS is not set in the runner');
        return this.clearCache(action.prefix, action.batch ?? REMEDIATION_DEFAULTS.batch);
    }
  }

  private async raiseFloor(service: string, by: number, minutes: number): Promise<string> {
    const path = `/apis/autoscaling/v2/namespaces/${this.policy.namespace}/horizontalpodautoscalers/${service}`;
    const hpa = (await this.ok('GET', path)) as { spec: { minReplicas?: number; maxReplicas: number } };
    const before = hpa.spec.minReplicas ?? 1;
    // Never above max replicas, whatever the HPA says today.
    const ceiling = Math.min(
      hpa.spec.maxReplicas,
      this.policy.services.find((s) => s.service === service)?.maxReplicas ?? hpa.spec.maxReplicas,
    );
    const raised = Math.min(before + by, ceiling);
    if (raised === before) return `floor already ${before} (max ${ceiling})`;
    await this.ok('PATCH', path, { spec: { minReplicas: raised } });
    this.timers.setTimeout(() => {
      this.ok('PATCH', path, { spec: { minReplicas: before } }).catch((e: Error) => process.stderr.write(`${e.message}\n`));
    }, minutes * 60000);
    return `floor ${before} -> ${raised} for ${minutes} min`;
  }

  private async replicaSets(service: string): Promise<{ revision: number; created: number; template: Record<string, unknown> }[]> {
    const d = (await this.ok('GET', this.deployment(service))) as { spec: { selector: { matchLabels: Record<string, string> } } };
    const selector = Object.entries(d.spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = (await this.ok(
      'GET',
      `/apis/apps/v1/namespaces/${this.policy.namespace}/replicasets?labelSelector=${encodeURIComponent(selector)}`,
    )) as {
      items: {
        metadata: { annotations?: Record<string, string>; creationTimestamp: string };
        spec: { template: Record<string, unknown> };
      }[];
    };
    return list.items
      .map((rs) => ({
        revision: Number(rs.metadata.annotations?.[REVISION] ?? 0),
        created: Date.parse(rs.metadata.creationTimestamp),
        template: rs.spec.template,
      }))
      .sort((a, b) => b.revision - a.revision);
  }

  private async rollback(service: string): Promise<string> {
    const [current, previous] = await this.replicaSets(service);
    if (!previous) throw new Error(`${service} has no previous ReplicaSet to roll back to`);
    const template = previous.template as { metadata?: { labels?: Record<string, string> } };
    const labels = { ...(template.metadata?.labels ?? {}) };
    delete labels['pod-template-hash'];
    // What `kubectl rollout undo` does: the previous template, without the hash the controller adds.
    await this.ok(
      'PATCH',
      this.deployment(service),
      [{ op: 'replace', path: '/spec/template', value: { ...template, metadata: { ...template.metadata, labels } } }],
      'application/json-patch+json',
    );
    return `rolled back from revision ${current.revision} to ${previous.revision}`;
  }

  /** When the newest ReplicaSet was made; read before each decision about a rollback. */
  public rolloutAt = (service: string): number | undefined => this.rollouts.get(service);

  public async refreshRollout(service: string): Promise<void> {
    const [current] = await this.replicaSets(service);
    if (current) this.rollouts.set(service, current.created);
  }

  public async event(record: AuditRecord): Promise<void> {
    const now = new Date().toISOString();
    await this.ok(
      'POST',
      `/api/v1/namespaces/${this.policy.namespace}/events`,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${record.service}-remediation-`, namespace: this.policy.namespace },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: record.service, namespace: this.policy.namespace },
        reason: record.verdict === 'act' ? `Remediation${record.dryRun ? 'DryRun' : ''}` : 'RemediationEscalated',
        type: record.verdict === 'act' && !record.outcome.startsWith('failed') ? 'Normal' : 'Warning',
        message: `${record.alert}: ${record.action ?? record.verdict} (${record.outcome}): ${record.reason}`.slice(0, 1024),
        source: { component: 'remediation-runner' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
      'application/json',
    );
  }

  public async notify(alerts: readonly PostableAlert[]): Promise<void> {
    await postAlerts(this.alertmanagerUrl, alerts);
  }
}
