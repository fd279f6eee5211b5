import { schemaValidator } from './support/k8s-schema';
import { ENVIRONMENTS } from '../stacks/environments';
import { synthesizeCharts } from '../stacks/synth';
const objs = synthesizeCharts(ENVIRONMENTS.prod).flatMap((c) => c.objects) as any[];
for (const v of ['1.35', '1.28'] as const) {
  const t = performance.now();
  const val = schemaValidator(v);
  const errs = objs.flatMap((o) => val.validate(o));
  console.log(v, 'build+compile', (performance.now() - t).toFixed(0), errs.length);
}
