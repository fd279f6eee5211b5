import { Rule } from '../types';

export const alertAnnotations: Rule = {
  id: 'alert-annotations',
  title: 'Alerts carry severity, summary and runbook_url',
  severity: 'error',
  rationale: 'Routing needs the severity; the person paged at night needs the summary and the runbook.',
  url: 'https://sre.google/workbook/alerting-on-slos/',
  check: (o) => {
    if (o.kind !== 'PrometheusRule') return [];
    return (o.spec?.groups ?? []).flatMap(
      (g: { name: string; rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }) =>
        (g.rules ?? [])
          .filter((r) => r.alert)
          .flatMap((r) =>
            [
              !r.labels?.severity && `alert '${r.alert}' in group '${g.name}' has no severity label`,
              !r.annotations?.summary && `alert '${r.alert}' in group '${g.name}' has no summary annotation`,
              !r.annotations?.runbook_url && `alert '${r.alert}' in group '${g.name}' has no runbook_url annotation`,
            ].filter((m): m is string => Boolean(m)),
          ),
    );
  },
};
