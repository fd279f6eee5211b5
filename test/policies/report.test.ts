import { Report } from '../../policies/engine';
import { formatJson, formatJunit, formatSarif, formatTable } from '../../policies/report';
import { ALL_RULES } from '../../policies/rules';
import { Finding } from '../../policies/types';
import { InputProblem } from '../../manifests/load';

const [ERROR_RULE, WARNING_RULE] = [ALL_RULES.find((r) => r.severity === 'error')!, ALL_RULES.find((r) => r.severity === 'warning')!];

const api = { kind: 'Deployment', namespace: 'web', name: 'api' };
const FINDINGS: readonly Finding[] = [
  {
    rule: ERROR_RULE.id,
    severity: 'error',
    object: api,
    message: 'container api has no memory limit',
    source: { file: 'dist/web.yaml', line: 12 },
  },
  { rule: WARNING_RULE.id, severity: 'warning', object: api, message: 'a warning', source: { file: 'dist/web.yaml', line: 12 } },
  {
    rule: ERROR_RULE.id,
    severity: 'error',
    object: { kind: 'Namespace', name: 'web' },
    message: 'exempted one',
    exemptReason: 'the vendor chart <v2> & more',
  },
];
const REPORT: Report = { findings: FINDINGS, objects: 5, errors: 1, warnings: 1, exempted: 1 };
const PROBLEMS: readonly InputProblem[] = [
  { file: 'dist/bad.yaml', line: 0, message: 'a document of type array, not a Kubernetes object' },
];

describe('formatTable', () => {
  it('lists input problems first, then findings grouped under their object and source, then the summary', () => {
    const lines = formatTable(REPORT, PROBLEMS).split('\n');
    expect(lines[0]).toBe('dist/bad.yaml:0: a document of type array, not a Kubernetes object');
    expect(lines[1]).toBe('Deployment/web/api  (dist/web.yaml:12)');
    expect(lines[2]).toBe(`  error   ${ERROR_RULE.id.padEnd(30)} container api has no memory limit`);
    expect(lines[3]).toBe(`  warning ${WARNING_RULE.id.padEnd(30)} a warning`);
    expect(lines[4]).toBe('Namespace/web');
    expect(lines[5]).toBe(`  exempt  ${ERROR_RULE.id.padEnd(30)} exempted one [reason: the vendor chart <v2> & more]`);
    expect(lines[6]).toBe('5 objects checked: 1 error(s), 1 warning(s), 1 exempted, 1 unreadable document(s)');
    expect(lines[7]).toBe('');
  });

  it('leaves the unreadable count out of the summary when every document was read', () => {
    expect(formatTable({ findings: [], objects: 3, errors: 0, warnings: 0, exempted: 0 }, [])).toBe(
      '3 objects checked: 0 error(s), 0 warning(s), 0 exempted\n',
    );
  });
});

describe('formatJson', () => {
  it('is the report with the input problems, as parseable JSON', () => {
    expect(JSON.parse(formatJson(REPORT, PROBLEMS))).toEqual({ ...REPORT, inputProblems: PROBLEMS });
  });
});

describe('formatJunit', () => {
  const xml = formatJunit(REPORT);

  it('has one test case per rule, failing only the rules with a live error', () => {
    expect(xml.match(/<testcase /g)).toHaveLength(ALL_RULES.length);
    expect(xml).toContain(`<testsuites tests="${ALL_RULES.length}" failures="1">`);
    expect(xml).toContain(
      `<testcase classname="policy" name="${ERROR_RULE.id}"><failure message="Deployment/web/api: container api has no memory limit"/></testcase>`,
    );
  });

  it('does not fail a rule for a warning or an exempted error', () => {
    expect(xml).toContain(`<testcase classname="policy" name="${WARNING_RULE.id}"></testcase>`);
    expect(xml).not.toContain('exempted one');
    const exemptOnly = formatJunit({ ...REPORT, findings: [FINDINGS[2]], errors: 0 });
    expect(exemptOnly).toContain('failures="0"');
  });
});

describe('formatSarif', () => {
  const sarif = JSON.parse(formatSarif(REPORT, PROBLEMS));
  const run = sarif.runs[0];

  it('is SARIF 2.1.0 describing every rule, plus one for unreadable input', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([...ALL_RULES.map((r) => r.id), 'input']);
    expect(run.tool.driver.rules[0]).toEqual({
      id: ALL_RULES[0].id,
      name: ALL_RULES[0].id,
      shortDescription: { text: ALL_RULES[0].title },
      fullDescription: { text: ALL_RULES[0].rationale },
      helpUri: ALL_RULES[0].url,
      defaultConfiguration: { level: ALL_RULES[0].severity },
    });
  });

  it('reports errors and warnings at their file and line, so code scanning annotates them', () => {
    expect(run.results[0]).toEqual({
      ruleId: ERROR_RULE.id,
      level: 'error',
      message: { text: 'Deployment/web/api: container api has no memory limit' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/web.yaml' }, region: { startLine: 12 } } }],
    });
    expect(run.results[1].level).toBe('warning');
  });

  it('keeps an exempted finding as a suppressed note with its reason, without a location it does not have', () => {
    expect(run.results[2]).toEqual({
      ruleId: ERROR_RULE.id,
      level: 'note',
      message: { text: 'Namespace/web: exempted one (exempt: the vendor chart <v2> & more)' },
      suppressions: [{ kind: 'inSource', justification: 'the vendor chart <v2> & more' }],
    });
  });

  it('reports each unreadable document as an input error, on line 1 at least (SARIF lines start at 1)', () => {
    expect(run.results[3]).toEqual({
      ruleId: 'input',
      level: 'error',
      message: { text: PROBLEMS[0].message },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/bad.yaml' }, region: { startLine: 1 } } }],
    });
  });
});
