import * as path from 'path';
import * as ts from 'typescript';

const PROJECT = path.resolve(__dirname, '../../loadtests/k6/tsconfig.json');

/** `tsc -p loadtests/k6/tsconfig.json`'s diagnostics, formatted as tsc prints them. */
function diagnostics(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(PROJECT, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  };
  return [...config.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => ts.formatDiagnostic(d, host).trim());
}

// The k6 runtime runs this script, not Node: it is checked on its own against @types/k6 (ES2020, no Node types), as
// `tsc -p loadtests/k6/tsconfig.json` would, beside the other tests rather than before them.
describe('the k6 script', () => {
  it('type-checks against @types/k6 and the load-test plan, with no diagnostic', () => {
    expect(diagnostics()).toEqual([]);
  }, 60000);

  it('is the project tsc would check: the script and the plan it reads', () => {
    const config = ts.getParsedCommandLineOfConfigFile(PROJECT, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    expect(config.fileNames.map((f) => path.relative(path.dirname(PROJECT), f)).sort()).toEqual(['../plan.ts', 'script.ts']);
    expect(config.options.types).toEqual(['k6']);
  });
});
