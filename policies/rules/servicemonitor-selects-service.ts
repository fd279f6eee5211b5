import { Rule } from '../types';
import { ofKind } from '../object-index';
import { selects } from '../workloads';

export const serviceMonitorSelectsService: Rule = {
  id: 'servicemonitor-selects-service',
  title: 'ServiceMonitors select existing Services',
  severity: 'error',
  rationale: 'A monitor that selects nothing leaves a service unscraped: its SLO alerts then fire on absence, or not at all.',
  url: 'https://prometheus-operator.dev/docs/developer/getting-started/',
  check: (o, ctx) => {
    if (o.kind !== 'ServiceMonitor') return [];
    const namespaces: string[] | undefined = o.spec?.namespaceSelector?.matchNames;
    const inScope = (ns: string | undefined) =>
      namespaces ? namespaces.includes(ns ?? 'default') : (ns ?? 'default') === (o.metadata.namespace ?? 'default');
    const candidates = namespaces
      ? namespaces.flatMap((n) => ofKind(ctx.objects, 'Service', n))
      : ofKind(ctx.objects, 'Service', o.metadata.namespace);
    const hit = candidates.some((s) => inScope(s.metadata.namespace) && selects(o.spec?.selector, s.metadata.labels));
    return hit ? [] : ['its selector matches no Service'];
  },
};
