import { parse } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { Environment, OPERATORS_FOR } from '../../stacks/environment';
import {
  CLUSTER_AUTOSCALER_FOR,
  ENVOY_PROXY_FOR_GATEWAY,
  OPERATOR_CATALOGUE,
  chartPinFor,
  installOrder,
  operatorNamesFor,
  operatorValues,
  renderOperatorsFile,
  resolveOperators,
} from '../../stacks/operator-catalogue';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { manifestFiles } from '../../manifests/load';
import { writeAtomically } from '../../stacks/synth';
import { filesOf } from '../support/environments';
import { ENVOY_GATEWAY_FOR } from '../../stacks/kubernetes-versions';

/** prod, on a Kubernetes version EKS supports and the operator lines of the shared CRD files. */
const prodEnv: Environment = ENVIRONMENTS.prod;

describe('the operator catalogue', () => {
  it('names a source for every chart pin', () => {
    for (const spec of Object.values(OPERATOR_CATALOGUE)) {
      for (const pin of spec.pins) expect(pin.source.length).toBeGreaterThan(10);
      expect(spec.pins.length > 0 || spec.chartEqualsApp !== undefined).toBe(true);
    }
  });

  it('installs cert-manager before the operators whose webhooks it certifies, and the adapter after Prometheus', () => {
    const order = installOrder(['keda', 'prometheus-adapter', 'vertical-pod-autoscaler', 'kube-prometheus-stack', 'cert-manager']);
    expect(order.indexOf('cert-manager')).toBeLessThan(order.indexOf('keda'));
    expect(order.indexOf('cert-manager')).toBeLessThan(order.indexOf('vertical-pod-autoscaler'));
    expect(order.indexOf('kube-prometheus-stack')).toBeLessThan(order.indexOf('prometheus-adapter'));
  });

  it('pins every operator of prod at 1.36 to a chart version', () => {
    const ops = resolveOperators(prodEnv);
    expect(ops.map((o) => o.name)).toEqual([
      'cert-manager',
      'aws-load-balancer-controller',
      'cluster-autoscaler',
      'external-dns',
      'kube-prometheus-stack',
      'prometheus-adapter',
      'vertical-pod-autoscaler',
      'keda',
      'cloudnative-pg',
      'plugin-barman-cloud',
      'events-exporter',
      'k6-operator',
      'istio-base',
      'istiod',
      'istio-cni',
      'ztunnel',
    ]);
    for (const op of ops) expect(op.chartVersion).toMatch(/^v?\d+\.\d+\.\d+$/);
    const by = Object.fromEntries(ops.map((o) => [o.name, o]));
    expect(by['cloudnative-pg']).toMatchObject({ chartVersion: '0.29.0', appVersion: '1.30.0', imageTagOverride: false });
    expect(by['kube-prometheus-stack']).toMatchObject({ chartVersion: '88.0.0', appVersion: '0.93.0' });
    expect(by.keda).toMatchObject({ chartVersion: '2.20.2', appVersion: '2.20.2' });
    expect(by['cluster-autoscaler']).toMatchObject({ chartVersion: '9.59.0', appVersion: CLUSTER_AUTOSCALER_FOR['1.36'] });
    expect(by['aws-load-balancer-controller']).toMatchObject({ chartVersion: '3.5.0', appVersion: '3.5.0', imageTagOverride: false });
  });

  it('turns on the AWS Load Balancer Controller v3 Gateway API support, and sets no such gate on a v2 release', () => {
    const [lbc] = resolveOperators(prodEnv, ['aws-load-balancer-controller']);
    expect(operatorValues(lbc, prodEnv)).toMatchObject({
      controllerConfig: { featureGates: { ALBGatewayAPI: true, NLBGatewayAPI: true } },
    });
    const v2 = { ...prodEnv, operators: { ...OPERATORS_FOR[prodEnv.kubernetesVersion], awsLoadBalancerController: '2.13.1' } };
    const [old] = resolveOperators(v2, ['aws-load-balancer-controller']);
    expect(old.chartVersion).toBe('1.13.1');
    expect(operatorValues(old, v2)).not.toHaveProperty('controllerConfig');
  });

  it('runs a release the newest pinned chart does not ship by setting its image tags, and says so', () => {
    const [vpa] = resolveOperators(prodEnv, ['vertical-pod-autoscaler']);
    expect(vpa).toMatchObject({ chartVersion: '0.9.0', appVersion: '1.7.1', imageTagOverride: true });
    expect(operatorValues(vpa, prodEnv)).toMatchObject({ recommender: { image: { tag: '1.7.1' } }, updater: { image: { tag: '1.7.1' } } });
  });

  it('leaves the chart version out where no pin was sourced, rather than guessing one', () => {
    expect(chartPinFor(OPERATOR_CATALOGUE['cloudnative-pg'], '1.24.4')).toBeUndefined();
    // CloudNativePG 1.24.4 is the line for Kubernetes 1.28.
    const [cnpg] = resolveOperators({ ...ENVIRONMENTS.airgap, kubernetesVersion: '1.28' }, ['cloudnative-pg']);
    expect(cnpg.chartVersion).toBeUndefined();
  });

  it('installs the Barman Cloud plugin beside CloudNativePG 1.26+, after it and cert-manager, and not for the older lines', () => {
    const ops = resolveOperators(prodEnv);
    const names = ops.map((o) => o.name);
    const plugin = ops.find((o) => o.name === 'plugin-barman-cloud')!;
    expect(names.indexOf('plugin-barman-cloud')).toBeGreaterThan(names.indexOf('cloudnative-pg'));
    expect(names.indexOf('plugin-barman-cloud')).toBeGreaterThan(names.indexOf('cert-manager'));
    expect(plugin).toMatchObject({
      namespace: ops.find((o) => o.name === 'cloudnative-pg')!.namespace,
      appVersion: 'v0.14.0',
      dependsOn: ['cert-manager', 'cloudnative-pg'],
      imageTagOverride: true,
    });
    expect(plugin.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`)).toEqual([
      'ghcr.io/cloudnative-pg/plugin-barman-cloud:v0.14.0',
      'ghcr.io/cloudnative-pg/plugin-barman-cloud-sidecar:v0.14.0',
    ]);
    expect(operatorValues(plugin, prodEnv)).toMatchObject({ image: { tag: 'v0.14.0' }, sidecarImage: { tag: 'v0.14.0' } });
    // CloudNativePG 1.24 (Kubernetes 1.28) and 1.25 (1.29) keep the in-tree barmanObjectStore.
    for (const kubernetesVersion of ['1.28', '1.29'] as const)
      expect(operatorNamesFor({ ...prodEnv, kubernetesVersion, operators: undefined })).not.toContain('plugin-barman-cloud');
    expect(operatorNamesFor({ ...prodEnv, kubernetesVersion: '1.30', operators: undefined })).toContain('plugin-barman-cloud');
  });

  it('pulls the plugin and its sidecar from the site registry when air-gapped', () => {
    const plugin = resolveOperators(ENVIRONMENTS.airgap).find((o) => o.name === 'plugin-barman-cloud');
    if (!plugin) throw new Error(`airgap runs CloudNativePG ${ENVIRONMENTS.airgap.kubernetesVersion}: expected the plugin`);
    const registry = ENVIRONMENTS.airgap.imageRegistry;
    expect(operatorValues(plugin, ENVIRONMENTS.airgap)).toMatchObject({ image: { registry }, sidecarImage: { registry } });
  });

  it('installs the cluster autoscaler or Karpenter, never both, and external-dns only with a DNS zone', () => {
    expect(operatorNamesFor(prodEnv)).toContain('cluster-autoscaler');
    const karpenter = {
      ...prodEnv,
      cloud: { ...(prodEnv.cloud as Extract<Environment['cloud'], { kind: 'aws' }>), karpenter: { cpuLimit: 100 } },
    };
    expect(operatorNamesFor(karpenter)).toEqual(expect.arrayContaining(['karpenter']));
    expect(operatorNamesFor(karpenter)).not.toContain('cluster-autoscaler');
    expect(operatorNamesFor(ENVIRONMENTS.staging)).not.toContain('external-dns');
    expect(operatorNamesFor(ENVIRONMENTS.airgap)).not.toContain('aws-load-balancer-controller');
  });

  it("installs the events exporter unless the site's own log pipeline keeps the Events", () => {
    expect(operatorNamesFor(prodEnv)).toContain('events-exporter');
    const sitePipeline = { ...prodEnv, monitoring: { ...prodEnv.monitoring, events: 'site-pipeline' as const } };
    expect(operatorNamesFor(sitePipeline)).not.toContain('events-exporter');
    const [exporter] = resolveOperators(prodEnv, ['events-exporter']);
    expect(exporter).toMatchObject({
      chart: 'opentelemetry-collector',
      chartVersion: '0.170.0',
      appVersion: '0.158.0',
      images: [{ registry: 'docker.io', repository: 'otel/opentelemetry-collector-contrib', tag: '0.158.0' }],
    });
    // The chart creates no RBAC of its own: the platform's EventsExporterAccess grants it.
    expect(operatorValues(exporter, prodEnv)).toMatchObject({
      serviceAccount: { create: false, name: 'events-exporter' },
      clusterRole: { create: false },
      image: { repository: 'otel/opentelemetry-collector-contrib' },
    });
  });

  it('points the service accounts that call AWS at their IRSA role', () => {
    const [lbc] = resolveOperators(prodEnv, ['aws-load-balancer-controller']);
    const values = operatorValues(lbc, prodEnv, { roleArn: 'arn:aws:iam::333333333333:role/lbc', clusterName: 'perfstack-prod' });
    expect(values).toMatchObject({
      clusterName: 'perfstack-prod',
      serviceAccount: {
        name: 'aws-load-balancer-controller',
        annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::333333333333:role/lbc' },
      },
    });
  });
});

describe('operators.releases.yaml of the air-gapped site', () => {
  const doc = parse(renderOperatorsFile(ENVIRONMENTS.airgap)) as {
    releases: { name: string; order: number; images: { mirror: string }[]; values: Record<string, unknown> }[];
  };

  it('is written for plain-YAML environments only', () => {
    expect(filesOf('airgap').map((f) => f.path)).toContain('airgap/helm/operators.releases.yaml');
    expect(filesOf('prod').map((f) => f.path)).not.toContain('prod/helm/operators.releases.yaml');
  });

  it('sits beside the Helm values, where neither kubectl apply -f dist/airgap/ nor the policy check reads it as a manifest', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-ops-'));
    try {
      writeAtomically(out, ['airgap'], filesOf('airgap'));
      expect(fs.existsSync(path.join(out, 'airgap/helm/operators.releases.yaml'))).toBe(true);
      expect(manifestFiles([path.join(out, 'airgap')]).filter((f) => f.includes('/helm/'))).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('lists the releases in install order with every image mirrored under the site registry', () => {
    expect(doc.releases.map((r) => r.order)).toEqual(doc.releases.map((_, i) => i + 1));
    expect(doc.releases[0].name).toBe('cert-manager');
    for (const r of doc.releases) for (const img of r.images) expect(img.mirror.startsWith('registry.airgap.internal:5000/')).toBe(true);
  });

  it('points the charts at the site registry', () => {
    const by = Object.fromEntries(doc.releases.map((r) => [r.name, r.values]));
    expect(by['kube-prometheus-stack']).toMatchObject({ global: { imageRegistry: 'registry.airgap.internal:5000' } });
    expect(by['cloudnative-pg']).toMatchObject({ image: { repository: 'registry.airgap.internal:5000/cloudnative-pg/cloudnative-pg' } });
    expect(by['cert-manager']).toMatchObject({ image: { repository: 'registry.airgap.internal:5000/jetstack/cert-manager-controller' } });
    expect(by['events-exporter']).toMatchObject({
      image: { repository: 'registry.airgap.internal:5000/otel/opentelemetry-collector-contrib' },
    });
  });
});

describe('the mesh in the catalogue', () => {
  it("installs Istio's ambient charts in Istio's order at the release the Kubernetes version supports", () => {
    const ops = resolveOperators(prodEnv).filter((o) => o.name.startsWith('istio') || o.name === 'ztunnel');
    expect(ops.map((o) => [o.name, o.chart, o.chartVersion, o.namespace, o.dependsOn])).toEqual([
      ['istio-base', 'base', '1.30.3', 'istio-system', []],
      ['istiod', 'istiod', '1.30.3', 'istio-system', ['istio-base']],
      ['istio-cni', 'cni', '1.30.3', 'istio-system', ['istiod']],
      ['ztunnel', 'ztunnel', '1.30.3', 'istio-system', ['istio-cni']],
    ]);
    expect(ops.flatMap((o) => o.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`))).toEqual([
      'docker.io/istio/pilot:1.30.3',
      'docker.io/istio/proxyv2:1.30.3',
      'docker.io/istio/install-cni:1.30.3',
      'docker.io/istio/ztunnel:1.30.3',
    ]);
  });

  it('runs the control plane and the node agent in ambient mode, from the site registry when air-gapped', () => {
    const airgap = ENVIRONMENTS.airgap;
    const byName = Object.fromEntries(resolveOperators(airgap).map((o) => [o.name, operatorValues(o, airgap)]));
    expect(byName.istiod).toMatchObject({ profile: 'ambient', global: { hub: 'registry.airgap.internal:5000/istio' } });
    expect(byName['istio-cni']).toMatchObject({ profile: 'ambient' });
    expect(byName.ztunnel).toMatchObject({ hub: 'registry.airgap.internal:5000/istio', priorityClassName: 'system-node-critical' });
  });

  it("leaves the mesh out with mesh 'none', and names Gateway API's CRDs as a prerequisite when the mesh or the edge needs them", () => {
    expect(operatorNamesFor({ ...prodEnv, mesh: 'none' })).not.toContain('istiod');
    const file = parse(renderOperatorsFile(prodEnv));
    expect(file.prerequisites).toEqual([
      {
        name: 'gateway-api-crds',
        version: 'v1.6.1',
        url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
      },
    ]);
    // The edge's Gateway needs them too; only an environment with neither goes without.
    expect(parse(renderOperatorsFile({ ...prodEnv, mesh: 'none' })).prerequisites).toHaveLength(1);
    expect(parse(renderOperatorsFile({ ...prodEnv, mesh: 'none', ingress: undefined })).prerequisites).toBeUndefined();
  });
});

describe('the edge in the catalogue', () => {
  it('installs Envoy Gateway v1.9.0 on-prem, its images mirrored, with the gateway-shim on in cert-manager, and never ingress-nginx', () => {
    const airgap = ENVIRONMENTS.airgap;
    const ops = resolveOperators(airgap);
    const eg = ops.find((o) => o.name === 'envoy-gateway')!;
    expect(eg).toMatchObject({
      repository: 'oci://docker.io/envoyproxy',
      chart: 'gateway-helm',
      chartVersion: 'v1.9.0',
      namespace: 'envoy-gateway-system',
    });
    expect(eg.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`)).toEqual([
      'docker.io/envoyproxy/gateway:v1.9.0',
      'docker.io/envoyproxy/envoy:distroless-v1.39.0',
    ]);
    expect(operatorValues(eg, airgap)).toMatchObject({ global: { imageRegistry: 'registry.airgap.internal:5000' } });
    const cm = ops.find((o) => o.name === 'cert-manager')!;
    expect(operatorValues(cm, airgap)).toMatchObject({ config: { kind: 'ControllerConfiguration', enableGatewayAPI: true } });
    for (const env of Object.values(ENVIRONMENTS)) expect(operatorNamesFor(env).join(',')).not.toMatch(/nginx/);
  });

  it('leaves Envoy Gateway out on AWS (the load balancer controller serves the Gateway) and where a site keeps its own controller', () => {
    expect(operatorNamesFor(prodEnv)).not.toContain('envoy-gateway');
    expect(operatorNamesFor(prodEnv)).toContain('aws-load-balancer-controller');
    expect(operatorNamesFor({ ...ENVIRONMENTS.airgap, ingress: { ...ENVIRONMENTS.airgap.ingress!, className: 'nginx' } })).not.toContain(
      'envoy-gateway',
    );
  });
});

describe('Envoy Gateway proxy images', () => {
  it('names the Envoy build of every Envoy Gateway release a Kubernetes version can get', () => {
    const releases = [...new Set(Object.values(ENVOY_GATEWAY_FOR).map((v) => v!.replace(/^v/, '')))];
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) expect(ENVOY_PROXY_FOR_GATEWAY[r]).toMatch(/^distroless-v\d+\.\d+\.\d+$/);
  });
});
