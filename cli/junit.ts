/** One JUnit test case; `failure` holds the message when it failed. */
export interface JUnitCase {
  readonly classname: string;
  readonly name: string;
  readonly failure?: string;
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A JUnit XML report with one suite, the format CI systems render as test results (policy and load-test CLIs). */
export function junitXml(suite: string, cases: readonly JUnitCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}">`,
    ...cases.map(
      (c) =>
        `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}">${c.failure !== undefined ? `<failure message="${xmlEscape(c.failure)}"/>` : ''}</testcase>`,
    ),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
