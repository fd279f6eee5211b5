import { App, Chart, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import type { ScalableServiceProps } from '../../constructs/workload/scalable-service-props';
import { KubeObject } from './k8s-schema';

/** The smallest valid ScalableService props, for tests that change one of them. */
export const MINIMAL_SERVICE_PROPS: ScalableServiceProps = {
  namespace: 'web',
  image: 'registry.example.com/web/api:1.2.3',
  resources: { cpu: Cpu.millis(500), memory: Size.mebibytes(512) },
  replicas: { min: 2, max: 10 },
  zones: 3,
};

/** A fresh chart per test, as cdk8s-plus tests do. */
export function freshChart(id = 'test'): Chart {
  // A plain App: Testing.app() makes a temporary outdir per call that nothing removes.
  return new Chart(new App(), id);
}

/** Synthesized objects of one chart. */
export function objectsOf(chart: Chart): KubeObject[] {
  return Testing.synth(chart) as KubeObject[];
}

/** Synthesized objects of every chart of an app. */
export function objectsOfApp(app: App): KubeObject[] {
  return app.charts.flatMap((c) => Testing.synth(c) as KubeObject[]);
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found)
    throw new Error(`no ${kind}${name ? ` named ${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function kinds(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => o.kind);
}
