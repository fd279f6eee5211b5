import { Rule } from '../types';

export const alertAnnotations: Rule = {
  id: 'alert-annotations',
  title: 'Alerts carry severity, summary and runbook_url',
  severity: 'error',
  rationale: 'Routing needs the severity; the person paged at night needs the summary and the runbook.',
  url: 'https://sre.google/workbook/alerting-on-slos/',
  check: (o) => {
    if (o.kind !== 'PrometheusRule') return [];
    const out: string[] = [];
    // Messages are built only for what is missing: a PrometheusRule holds dozens of alerts.
    for (const g of (o.spec?.groups ?? []) as {
      name: string;
      rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
    }[]) {
      for (const r of g.rules ?? []) {
        if (!r.alert) continue;
        if (!r.labels?.severity) out.push(`alert '${r.alert}' in group '${g.name}' has no severity label`);
        if (!r.annotations?.summary) out.push(`alert '${r.alert}' in group '${g.name}' has no summary annotation`);
        if (!r.annotations?.runbook_url) out.push(`alert '${r.alert}' in group '${g.name}' has no runbook_url annotation`);
      }
    }
    return out;
  },
};
