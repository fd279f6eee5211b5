import * as path from 'path';
import * as ts from 'typescript';

const PROJECT = path.resolve(__dirname, '../../loadtests/k6/tsconfig.json');
const SCRIPT = path.resolve(__dirname, '../../loadtests/k6/script.ts');

const config = () => ts.getParsedCommandLineOfConfigFile(PROJECT, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;

/**
 * `tsc -p loadtests/k6/tsconfig.json`'s diagnostics, formatted as tsc prints them; with `script`, for that text in
 * place of the script's (the program of the last call is reused for every other file).
 */
let last: ts.Program | undefined;
function diagnostics(script?: string): string[] {
  const parsed = config();
  const host = ts.createCompilerHost(parsed.options);
  if (script !== undefined) {
    const read = host.readFile.bind(host);
    host.readFile = (f) => (path.resolve(f) === SCRIPT ? script : read(f));
  }
  last = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    host,
    oldProgram: last,
  });
  const format: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  };
  return [...parsed.errors, ...ts.getPreEmitDiagnostics(last)].map((d) => ts.formatDiagnostic(d, format).trim());
}

// The k6 runtime runs this script, not Node: it is checked on its own against @types/k6 (ES2020, no Node types), as
// `tsc -p loadtests/k6/tsconfig.json` would, beside the other tests rather than before them.
describe('the k6 script', () => {
  it('type-checks against @types/k6 and the load-test plan, with no diagnostic', () => {
    expect(diagnostics()).toEqual([]);
  }, 60000);

  it("fails with tsc's message when the script misuses k6's API or reaches for Node", () => {
    const source = ts.sys.readFile(SCRIPT)!;
    const broken = `${source}\nexport const wrongSleep: void = sleep('one second');\nexport const nodeOnly = process.env.HOME;\n`;
    const found = diagnostics(broken);
    expect(found).toEqual([
      expect.stringMatching(
        /script\.ts\(\d+,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/,
      ),
      expect.stringMatching(/script\.ts\(\d+,\d+\): error TS2591: Cannot find name 'process'/),
    ]);
  }, 60000);

  it('is the project tsc would check: the script and the plan it reads', () => {
    expect(
      config()
        .fileNames.map((f) => path.relative(path.dirname(PROJECT), f))
        .sort(),
    ).toEqual(['../plan.ts', 'script.ts']);
    expect(config().options.types).toEqual(['k6']);
  });
});
