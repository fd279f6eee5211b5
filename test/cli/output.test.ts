import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputError, outputTarget, reportPath, writeOutput } from '../../cli/output';

describe('writeOutput', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-output-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing folders', () => {
    const file = path.join(dir, 'a', 'b', 'report.xml');
    writeOutput(file, '<x/>');
    expect(fs.readFileSync(file, 'utf8')).toBe('<x/>');
  });

  it('replaces an existing report whole and leaves no temporary file beside it', () => {
    const file = path.join(dir, 'report.json');
    fs.writeFileSync(file, 'old and longer than the new one');
    writeOutput(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['report.json']);
  });

  it('fails on one line naming the file when the target is a folder or sits under a file, writing nothing', () => {
    expect(() => writeOutput(dir, 'x')).toThrow(new OutputError(dir, 'it is a folder; name a file'));
    fs.writeFileSync(path.join(dir, 'plain'), 'keep');
    const under = path.join(dir, 'plain', 'report.xml');
    expect(() => writeOutput(under, 'x')).toThrow(`${under}: cannot write (a parent is a file, not a folder)`);
    expect(fs.readdirSync(dir)).toEqual(['plain']);
    expect(fs.readFileSync(path.join(dir, 'plain'), 'utf8')).toBe('keep');
  });

  it('keeps the old report whole when the new one cannot be written', () => {
    const file = path.join(dir, 'report.txt');
    fs.writeFileSync(file, 'old');
    // Occupy the temporary file's name with a folder, so writing the new content fails before the rename.
    fs.mkdirSync(path.join(dir, `.report.txt.${process.pid}.tmp`));
    expect(() => writeOutput(file, 'new')).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot write \\(`));
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});

describe('outputTarget', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-target-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes /dev/stdout, /proc/self/fd/1 and links into /dev where they are, whatever stdout is redirected to', () => {
    expect(outputTarget('/dev/stdout')).toEqual({ mode: 'in-place', file: '/dev/stdout' });
    expect(outputTarget('/proc/self/fd/1')).toEqual({ mode: 'in-place', file: '/proc/self/fd/1' });
    fs.symlinkSync('/dev/stdout', path.join(dir, 'out'));
    expect(outputTarget(path.join(dir, 'out'))).toEqual({ mode: 'in-place', file: '/dev/stdout' });
  });

  it('follows a chain of links to the file it ends at, even a missing one, so the links stay', () => {
    fs.symlinkSync('b', path.join(dir, 'a'));
    fs.symlinkSync('sub/c.txt', path.join(dir, 'b'));
    expect(outputTarget(path.join(dir, 'a'))).toEqual({ mode: 'replace', file: path.join(dir, 'sub', 'c.txt') });
    writeOutput(path.join(dir, 'a'), 'report', '--output');
    expect([fs.lstatSync(path.join(dir, 'a')).isSymbolicLink(), fs.readFileSync(path.join(dir, 'sub', 'c.txt'), 'utf8')]).toEqual([
      true,
      'report',
    ]);
  });

  it('refuses a loop of links on one line naming the flag', () => {
    fs.symlinkSync('y', path.join(dir, 'x'));
    fs.symlinkSync('x', path.join(dir, 'y'));
    expect(() => writeOutput(path.join(dir, 'x'), 'r', '--plot')).toThrow(
      `'--plot' (${JSON.stringify(path.join(dir, 'x'))}) cannot be written: too many levels of symbolic links`,
    );
  });
});

describe('reportPath', () => {
  it('puts generated reports under the git-ignored reports/ folder', () => {
    expect(reportPath('loadtest-results.xml')).toBe(path.join('reports', 'loadtest-results.xml'));
    expect(fs.readFileSync(path.resolve(__dirname, '../../.gitignore'), 'utf8').split('\n')).toContain('reports/');
  });
});
