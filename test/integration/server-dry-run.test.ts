import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { Environment, operatorVersions } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { OLDEST_KUBERNETES_VERSION } from '../../constructs/core/kubernetes-version';
import { RenderedFile, renderEnvironment } from '../../stacks/synth';
import { crdFilesFor } from '../support/crd-files';
import { ENVIRONMENT_NAMES, filesOf } from '../support/environments';
import {
  KubeObjectRef,
  buildFor,
  createNamespaces,
  describeWithKubeApiServer,
  dryRunApply,
  installCrds,
  kubeApiServerFor,
} from '../support/kube-apiserver';
import { runCachedSync } from '../support/worker-cache';

/** The objects of the Kubernetes manifests among `files`, in file order and in order within each file. */
function objectsInFileOrder(files: readonly RenderedFile[]): { file: string; object: KubeObjectRef }[] {
  return files
    .filter((f) => f.path.endsWith('.k8s.yaml'))
    .flatMap((f) =>
      (loadAll(f.content, null, { schema: CORE_SCHEMA }) as (KubeObjectRef | null)[])
        .filter((o): o is KubeObjectRef => o !== null)
        .map((object) => ({ file: f.path, object })),
    );
}

/** `fn` over `items` with at most `width` calls in flight; results in the items' order. */
async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

interface Case {
  readonly label: string;
  readonly env: Environment;
  readonly files: () => RenderedFile[];
}

/** Every registered environment, and prod re-synthesized for the oldest supported minor (against the oldest server). */
const oldestProd: Environment = { ...ENVIRONMENTS.prod, kubernetesVersion: OLDEST_KUBERNETES_VERSION };
const CASES: Case[] = [
  ...ENVIRONMENT_NAMES.map((name) => ({ label: name, env: ENVIRONMENTS[name], files: () => filesOf(name) })),
  {
    label: `prod at ${OLDEST_KUBERNETES_VERSION}`,
    env: oldestProd,
    files: () => runCachedSync('files', `prod@${OLDEST_KUBERNETES_VERSION}`, () => renderEnvironment(oldestProd)),
  },
];

/**
 * Every synthesized object, server-side dry-run (strict field validation) against a real kube-apiserver of the
 * environment's minor (the nearest build: ../shared/bin has the oldest and the newest), with the CRDs of the kinds
 * the environment emits at its operator lines, and its namespaces created: admission (Pod Security, namespace
 * existence), the CRDs' CEL rules and the server's own validation and deprecation warnings all have their say.
 * docs/validation.md says what this adds to the JSON-schema tests.
 */
describeWithKubeApiServer('every synthesized object, server-side dry run on a real kube-apiserver', () => {
  it.each(
    CASES.map((c) => [
      `${c.label} (Kubernetes ${c.env.kubernetesVersion}, kube-apiserver ${buildFor(c.env.kubernetesVersion).version})`,
      c,
    ]),
  )(
    '%s: accepts every object in file order with no rejection and no warning',
    async (_title, c) => {
      const objects = objectsInFileOrder(c.files());
      expect(objects.length).toBeGreaterThan(20);
      const server = await kubeApiServerFor(c.env.kubernetesVersion);
      const crds = crdFilesFor(
        objects.map((o) => o.object),
        c.env.kubernetesVersion,
        operatorVersions(c.env),
      );
      await installCrds(server, crds.files, crds.kinds);
      await createNamespaces(
        server,
        objects.map((o) => o.object).filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace'),
      );
      // Several requests in flight (the server answers each in tens of milliseconds); problems are reported in file
      // order. Nothing a dry run does is stored, so one object's outcome never depends on another's.
      const results = await inBatches(objects, 8, (o) => dryRunApply(server, o.object));
      const problems = results.flatMap((r, i) => [
        ...(r.accepted ? [] : [`${objects[i].file}: ${r.object}: rejected (${r.status}): ${r.message}`]),
        ...r.warnings.map((w) => `${objects[i].file}: ${r.object}: warning: ${w}`),
      ]);
      expect(problems).toEqual([]);
    },
    180000,
  );
});
