import { Rule } from '../types';

export const k6Resources: Rule = {
  id: 'k6-resources',
  title: 'k6 TestRuns request resources for their runners',
  severity: 'error',
  rationale: 'A load generator without requests competes with the service it measures and skews the results.',
  url: 'https://grafana.com/docs/k6/latest/testing-guides/running-distributed-tests/',
  check: (o) => {
    if (o.kind !== 'TestRun' || !o.apiVersion.startsWith('k6.io/')) return [];
    const r = o.spec?.runner?.resources?.requests ?? {};
    return r.cpu && r.memory ? [] : ['spec.runner.resources.requests must set cpu and memory'];
  },
};
