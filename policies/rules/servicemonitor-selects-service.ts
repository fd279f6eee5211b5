import { Rule } from '../types';
import { byLabels } from '../../manifests/workloads';

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
    const scope = namespaces ? namespaces.flatMap((n) => [n]) : [o.metadata.namespace];
    const hit = scope.some((n) => byLabels(ctx.objects, 'Service', n).any(o.spec?.selector, (s) => inScope(s.metadata.namespace)));
    return hit ? [] : ['its selector matches no Service'];
  },
};
