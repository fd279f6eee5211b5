import { junitXml } from '../cli/junit';
import { ALL_RULES } from './rules';
import { Report } from './engine';
import { InputProblem } from '../manifests/load';
import { Finding } from './types';

const where = (f: Finding) => `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`;

/** A readable table grouped by object, then a summary line. */
export function formatTable(report: Report, problems: readonly InputProblem[]): string {
  const out: string[] = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  const byObject = new Map<string, Finding[]>();
  for (const f of report.findings) byObject.set(where(f), [...(byObject.get(where(f)) ?? []), f]);
  for (const [object, findings] of byObject) {
    const src = findings[0].source ? `  (${findings[0].source.file}:${findings[0].source.line})` : '';
    out.push(`${object}${src}`);
    for (const f of findings)
      out.push(
        `  ${f.exemptReason ? 'exempt ' : f.severity.padEnd(7)} ${f.rule.padEnd(30)} ${f.message}${f.exemptReason ? ` [reason: ${f.exemptReason}]` : ''}`,
      );
  }
  out.push(
    `${report.objects} objects checked: ${report.errors} error(s), ${report.warnings} warning(s), ${report.exempted} exempted` +
      (problems.length > 0 ? `, ${problems.length} unreadable document(s)` : ''),
  );
  return out.join('\n') + '\n';
}

export function formatJson(report: Report, problems: readonly InputProblem[]): string {
  return JSON.stringify({ ...report, inputProblems: problems }, null, 2) + '\n';
}

/** JUnit: one test case per rule; each live error finding fails it. */
export function formatJunit(report: Report): string {
  return junitXml(
    'perfstack-policy',
    ALL_RULES.map((r) => {
      const failures = report.findings.filter((f) => f.rule === r.id && !f.exemptReason && f.severity === 'error');
      return {
        classname: 'policy',
        name: r.id,
        failure: failures.length > 0 ? failures.map((f) => `${where(f)}: ${f.message}`).join('; ') : undefined,
      };
    }),
  );
}

/** SARIF 2.1.0, for GitHub code scanning annotations on the pull request. */
export function formatSarif(report: Report, problems: readonly InputProblem[]): string {
  const rules = ALL_RULES.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    helpUri: r.url,
    defaultConfiguration: { level: r.severity === 'error' ? 'error' : 'warning' },
  }));
  const location = (file: string, line: number) => [
    { physicalLocation: { artifactLocation: { uri: file }, region: { startLine: Math.max(1, line) } } },
  ];
  const results = [
    ...report.findings.map((f) => ({
      ruleId: f.rule,
      level: f.exemptReason ? 'note' : f.severity === 'error' ? 'error' : 'warning',
      message: { text: `${where(f)}: ${f.message}${f.exemptReason ? ` (exempt: ${f.exemptReason})` : ''}` },
      ...(f.source ? { locations: location(f.source.file, f.source.line) } : {}),
      ...(f.exemptReason ? { suppressions: [{ kind: 'inSource', justification: f.exemptReason }] } : {}),
    })),
    ...problems.map((p) => ({ ruleId: 'input', level: 'error', message: { text: p.message }, locations: location(p.file, p.line) })),
  ];
  return (
    JSON.stringify(
      {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'perfstack-policy',
                informationUri: 'https://github.com/perfstack/perfstack',
                rules: [...rules, { id: 'input', shortDescription: { text: 'Unreadable input' } }],
              },
            },
            results,
          },
        ],
      },
      null,
      2,
    ) + '\n'
  );
}
