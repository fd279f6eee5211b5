import * as path from 'path';
import {
  KubeApiServer,
  KubeObjectRef,
  buildFor,
  createNamespaces,
  describeWithKubeApiServer,
  dryRunApply,
  installCrds,
  kubeApiServerBuilds,
  kubeApiServerFor,
  warningMessages,
} from '../support/kube-apiserver';
import { SHARED_CRDS } from '../support/k8s-schema';

/** The server chosen per minor: exact build, else the nearest (the newer on a tie). */
describe('buildFor', () => {
  const builds = [
    { version: '1.28.7', minor: '1.28', path: '/bin/a' },
    { version: '1.36.3', minor: '1.36', path: '/bin/b' },
  ];
  it.each([
    ['1.28', '1.28'],
    ['1.31', '1.28'],
    ['1.32', '1.36'],
    ['1.35', '1.36'],
    ['1.36', '1.36'],
  ])('serves Kubernetes %s objects with the %s build', (minor, expected) => {
    expect(buildFor(minor, builds).minor).toBe(expected);
  });
});

describe('warningMessages', () => {
  it('returns each Warning header message unquoted and ignores other headers', () => {
    const raw = ['Content-Type', 'application/json', 'Warning', '299 - "a \\"quoted\\" one"', 'warning', '299 - "b, with a comma"'];
    expect(warningMessages(raw)).toEqual(['a "quoted" one', 'b, with a comma']);
  });
});

const restrictedPod = (name: string, namespace: string): KubeObjectRef => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.example/app:1',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      },
    ],
  },
});

/**
 * What a real API server checks beyond the JSON schemas the unit tests validate against (docs/validation.md): each
 * case here is schema-valid and still refused, or changed, by the server.
 */
describeWithKubeApiServer('kube-apiserver checks beyond the JSON schemas', () => {
  let server: KubeApiServer;
  const newest = () => kubeApiServerBuilds().pop()!.minor;

  beforeAll(async () => {
    server = await kubeApiServerFor(newest());
    await createNamespaces(server, [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'harness-restricted', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    ]);
    await installCrds(server, [
      path.join(SHARED_CRDS, 'plugin-barman-cloud-v0.14.0_barmancloud.cnpg.io_objectstores.yaml'),
      path.join(SHARED_CRDS, 'gateway-api-v1.6.1_gateway.networking.k8s.io_httproutes.yaml'),
      path.join(SHARED_CRDS, 'envoy-gateway-v1.9.0_gateway.envoyproxy.io_backendtrafficpolicies.yaml'),
    ]);
  }, 120000);
  afterAll(() => server?.stop());

  it('runs the build of the minor it was asked for', () => {
    expect(server.minor).toBe(newest());
    expect(server.gitVersion).toMatch(new RegExp(`^v${newest().replace('.', '\\.')}\\.`));
  });

  it('accepts a restricted pod and returns it with the defaults the server fills in', async () => {
    const r = await dryRunApply(server, restrictedPod('ok', 'harness-restricted'));
    expect(r).toMatchObject({ accepted: true, warnings: [] });
    const spec = (r.result as { spec: { restartPolicy: string; containers: { terminationMessagePolicy: string }[] } }).spec;
    expect(spec.restartPolicy).toBe('Always');
    expect(spec.containers[0].terminationMessagePolicy).toBe('File');
  });

  it('refuses an object in a namespace that does not exist (NamespaceLifecycle admission)', async () => {
    const r = await dryRunApply(server, restrictedPod('ok', 'no-such-namespace'));
    expect(r).toMatchObject({ accepted: false, status: 404, message: 'namespaces "no-such-namespace" not found' });
  });

  it('refuses a pod that breaks its namespace Pod Security level (PodSecurity admission)', async () => {
    const pod = restrictedPod('root', 'harness-restricted');
    const spec = pod.spec as { securityContext: Record<string, unknown> };
    spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
    const r = await dryRunApply(server, pod);
    expect(r.accepted).toBe(false);
    expect(r.message).toMatch(/violates PodSecurity "restricted:.*runAsNonRoot/);
  });

  it('refuses a field the kind does not have (strict field validation)', async () => {
    const r = await dryRunApply(server, { ...restrictedPod('x', 'harness-restricted'), status: undefined, spec: { bogus: 1 } });
    expect(r.accepted).toBe(false);
    expect(r.message).toMatch(/bogus/);
  });

  it("refuses a custom resource that breaks its CRD's CEL rule (x-kubernetes-validations)", async () => {
    const store = (configuration: Record<string, unknown>): KubeObjectRef => ({
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 'backups', namespace: 'harness-restricted' },
      spec: { configuration: { destinationPath: 's3://bucket/path', ...configuration } },
    });
    expect(await dryRunApply(server, store({}))).toMatchObject({ accepted: true, warnings: [] });
    const r = await dryRunApply(server, store({ serverName: 'pg' }));
    expect(r.accepted).toBe(false);
    expect(r.message).toMatch(/use the 'serverName' plugin parameter in the Cluster resource/);
  });

  it("refuses an edge route whose try may outlast the request (Gateway API's CEL rule on HTTPRoute timeouts)", async () => {
    const route = (backendRequest: string): KubeObjectRef => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'harness-restricted' },
      spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }], timeouts: { request: '2000ms', backendRequest } }] },
    });
    expect(await dryRunApply(server, route('500ms'))).toMatchObject({ accepted: true, warnings: [] });
    const r = await dryRunApply(server, route('2500ms'));
    expect(r.accepted).toBe(false);
    expect(r.message).toMatch(/backendRequest timeout cannot be longer than request timeout/);
  });

  it("refuses a BackendTrafficPolicy aimed at a kind Envoy Gateway cannot attach to (its CRD's CEL rule)", async () => {
    const policy = (kind: string): KubeObjectRef => ({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'BackendTrafficPolicy',
      metadata: { name: 'web', namespace: 'harness-restricted' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind, name: 'web' }], retry: { numRetries: 0 } },
    });
    expect(await dryRunApply(server, policy('HTTPRoute'))).toMatchObject({ accepted: true });
    const r = await dryRunApply(server, policy('Service'));
    expect(r.accepted).toBe(false);
    expect(r.message).toMatch(/this policy can only have a targetRefs\[\*\]\.kind of Gateway\/ListenerSet\/HTTPRoute\/GRPCRoute/);
  });

  it('reports the Warning headers of an accepted object (deprecated values)', async () => {
    const r = await dryRunApply(server, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'harness-restricted' },
      spec: { ports: [{ port: 80 }], trafficDistribution: 'PreferClose' },
    });
    expect(r.accepted).toBe(true);
    expect(r.warnings).toEqual(['spec.trafficDistribution: "PreferClose" is deprecated; use "PreferSameZone"']);
  });
});
