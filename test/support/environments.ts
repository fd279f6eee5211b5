import * as fs from 'fs';
import * as path from 'path';
import { Environment } from '../../stacks/environment';
import { ENVIRONMENTS } from '../../stacks/environments';
import { prod } from '../../stacks/prod';
import { RenderedFile, SynthesizedChart, renderEnvironment, synthesizeCharts } from '../../stacks/synth';
import { runCachedSync } from './worker-cache';

const ROOT = path.resolve(__dirname, '../..');

/** Every registered environment (stacks/environments.ts), in registry order: tests iterate these, never a literal list. */
export const ENVIRONMENT_NAMES: readonly string[] = Object.keys(ENVIRONMENTS);

/** Registered environments with a committed Pulumi stack config (`Pulumi.<name>.yaml`). */
export const PULUMI_STACKS: readonly string[] = ENVIRONMENT_NAMES.filter((n) => fs.existsSync(path.join(ROOT, `Pulumi.${n}.yaml`)));

/** Pulumi stacks whose environment runs on AWS: the ones `pulumi up` builds a cloud side for. */
export const CLOUD_STACKS: readonly string[] = PULUMI_STACKS.filter((n) => ENVIRONMENTS[n].cloud.kind === 'aws');

/**
 * prod with `n` services cloned from its catalogue (`svc-0`, `svc-1`, ...), to measure or test at scale. Public
 * clones get their own ingress path; a clone calls the clones of its original's callees in the same block of the
 * catalogue (a callee past `n` is left out); each clone has its original's remediation rules; no load test, since
 * there is no api-gateway to target.
 */
export function scaledProd(n: number): Environment {
  const k = prod.services.length;
  const services = Array.from({ length: n }, (_, i) => {
    const original = prod.services[i % k];
    const block = i - (i % k);
    const cloneOf = (name: string) => block + prod.services.findIndex((s) => s.name === name);
    const dependencies = original.dependencies
      ?.map((d) => (d.kind === 'service' ? { ...d, service: `svc-${cloneOf(d.service)}` } : d))
      .filter((d) => d.kind !== 'service' || Number(d.service.slice(4)) < n);
    const clone = { ...original, name: `svc-${i}`, ...(dependencies ? { dependencies } : {}) };
    return clone.exposure === 'public' ? { ...clone, ingressPath: `/${clone.name}` } : clone;
  });
  // Each clone answers the alerts its original answers.
  const remediation = prod.remediation && {
    ...prod.remediation,
    services: services.flatMap((clone, i) =>
      prod.remediation!.services.filter((r) => r.service === prod.services[i % k].name).map((r) => ({ ...r, service: clone.name })),
    ),
  };
  return { ...prod, name: `gen${n}`, services, remediation, loadTests: undefined };
}

/**
 * The charts of a registered environment, as `synthesizeCharts` returns them, synthesized once per `jest` run for every
 * test file that only reads them (runCachedSync: the objects are JSON, so a copy is the same data). Tests of
 * synthesis itself (test/stacks/synth.test.ts) synthesize for real.
 */
export function chartsOf(name: string): SynthesizedChart[] {
  return runCachedSync('charts', name, () => synthesizeCharts(ENVIRONMENTS[name]));
}

/** The files `npm run synth` writes for a registered environment (dist/<name>/), rendered once per `jest` run. */
export function filesOf(name: string): RenderedFile[] {
  return runCachedSync('files', name, () => renderEnvironment(ENVIRONMENTS[name]));
}
