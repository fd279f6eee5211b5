import * as fs from 'fs';
import MarkdownIt from 'markdown-it';
import * as path from 'path';
import * as ts from 'typescript';
import { buildPlatform } from '../stacks/platform';

const ROOT = path.resolve(__dirname, '..');
/** The front page and every page under docs/: each is checked the same way. */
const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const text = (page: string) => fs.readFileSync(path.join(ROOT, page), 'utf8');

/**
 * What a reader would not see as written: a fence that never closes (CommonMark then runs it to the end of the file,
 * swallowing every section after it), or pipe-table rows that render as a paragraph.
 */
function renderingProblems(markdown: string, page = 'README.md'): string[] {
  const tokens = new MarkdownIt().parse(markdown, {});
  const lines = markdown.split('\n');
  const problems: string[] = [];
  const covered = (kinds: string[]) => {
    const set = new Set<number>();
    for (const t of tokens) if (kinds.includes(t.type) && t.map) for (let i = t.map[0]; i < t.map[1]; i++) set.add(i);
    return set;
  };
  for (const t of tokens.filter((t) => t.type === 'fence')) {
    const [start, end] = t.map!;
    const close = lines[end - 1]?.trim() ?? '';
    const closes = end - 1 > start && close.length >= t.markup.length && new RegExp(`^\\${t.markup[0]}+$`).test(close);
    if (!closes) problems.push(`${page}:${start + 1}: the fence ${JSON.stringify(t.markup + t.info)} is never closed`);
    // A fence is closed only by a bare marker at least as long as its opener: anything else that looks like one,
    // or a section heading, means the fence ran on past where its author meant it to end.
    for (let i = start + 1; i < end - 1; i++) {
      if (/^\s*(```|~~~)/.test(lines[i]))
        problems.push(
          `${page}:${i + 1}: ${JSON.stringify(lines[i].trim().slice(0, 20))} does not close the fence opened at line ${start + 1}`,
        );
      if (/^#{2,6} \S/.test(lines[i])) problems.push(`${page}:${i + 1}: the heading ${JSON.stringify(lines[i])} is inside a code block`);
    }
  }
  const code = covered(['fence', 'code_block']);
  const tables = covered(['table_open']);
  lines.forEach((line, i) => {
    if (code.has(i)) return;
    if (/^\s*\|/.test(line) && !tables.has(i)) problems.push(`${page}:${i + 1}: a pipe-table row that does not render as a table`);
  });
  return problems;
}

interface Snippet {
  /** The page it is on (README.md or docs/...). */
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** Folder the snippet's relative imports start from: the one its `// <path>` header names, else the root. */
  readonly dir: string;
  /** `// stacks/services.ts (excerpt)`: the snippet shows part of a real file, whose exports it must equal. */
  readonly excerptOf?: string;
}

function tsSnippets(markdown: string, page: string): Snippet[] {
  return new MarkdownIt()
    .parse(markdown, {})
    .filter((t) => t.type === 'fence' && /^(ts|typescript)\b/.test(t.info))
    .map((t) => {
      const header = /^\/\/ ([\w./-]+\.ts)( \(excerpt\))?\n/.exec(t.content);
      return {
        page,
        line: t.map![0] + 1,
        code: t.content,
        dir: header ? path.join(ROOT, path.dirname(header[1])) : ROOT,
        excerptOf: header?.[2] ? path.join(ROOT, header[1]) : undefined,
      };
    });
}

/** Virtual file of a snippet: in its folder, so relative imports resolve as they would for the reader. */
const fileOf = (s: Snippet) => path.join(s.dir, `__${s.page.replace(/\W/g, '_')}_line_${s.line}.ts`);

describe('README.md and docs/', () => {
  it.each(PAGES)('%s renders as written: every fence closed where it was meant to, every pipe table a table', (page) => {
    expect(renderingProblems(text(page), page)).toEqual([]);
  });

  it('the front page stays a front page: under 200 lines, the two commands in its first screen, a link to every page', () => {
    const readme = text('README.md');
    expect(readme.split('\n').length).toBeLessThan(200);
    const firstScreen = readme.split('\n').slice(0, 60).join('\n');
    expect(firstScreen).toContain('npm ci && npm run synth');
    expect(firstScreen).toContain('npm test');
    const linked = new Set([...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(#[\w-]*)?\)/g)].map((m) => m[1]));
    expect(PAGES.filter((p) => p.startsWith('docs/') && !linked.has(p))).toEqual([]);
  });

  it('every relative link on every page points at a file that exists', () => {
    const broken = PAGES.flatMap((page) =>
      [...text(page).matchAll(/\]\(((?!https?:|#|mailto:)[^)\s#]+)(#[^)]*)?\)/g)]
        .map((m) => m[1])
        .filter((target) => !fs.existsSync(path.resolve(ROOT, path.dirname(page), target)))
        .map((target) => `${page}: ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('would be caught with a fence that swallows the sections after it', () => {
    const broken = '# t\n\n````sh\nnpm ci\n``` Then more text.\n\n## Next\n\n````\nout\n```\n';
    expect(renderingProblems(broken)).toEqual([
      'README.md:5: "``` Then more text." does not close the fence opened at line 3',
      'README.md:7: the heading "## Next" is inside a code block',
      'README.md:11: the fence "```" is never closed',
    ]);
  });

  it('would be caught with a pipe table that renders as a paragraph', () => {
    const broken = '# t\n\n| a | b |\n| - |\n| 1 | 2 |\n';
    expect(renderingProblems(broken)).toEqual([3, 4, 5].map((l) => `README.md:${l}: a pipe-table row that does not render as a table`));
  });

  describe('TypeScript snippets', () => {
    const snippets = PAGES.flatMap((page) => tsSnippets(text(page), page));

    it('there are snippets to check', () => {
      expect(snippets.length).toBeGreaterThanOrEqual(3);
    });

    it('type-check against the project, strictly as tsconfig.json says', () => {
      const config = ts.getParsedCommandLineOfConfigFile(
        path.join(ROOT, 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
          },
        },
      )!;
      const options: ts.CompilerOptions = { ...config.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined };
      const virtual = new Map(snippets.map((s) => [fileOf(s), s.code]));
      const host = ts.createCompilerHost(options);
      const { fileExists, readFile, getSourceFile } = host;
      host.fileExists = (f) => virtual.has(f) || fileExists(f);
      host.readFile = (f) => virtual.get(f) ?? readFile(f);
      host.getSourceFile = (f, lang, ...rest) =>
        virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, lang, true) : getSourceFile(f, lang, ...rest);
      const program = ts.createProgram([...virtual.keys()], options, host);
      const errors = snippets.flatMap((s) => {
        const sf = program.getSourceFile(fileOf(s))!;
        return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
          const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
          return `${s.page}:${s.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
        });
      });
      expect(errors).toEqual([]);
    }, 60000);

    it.each(snippets.map((s) => [`${s.page}:${s.line}`, s] as const))('the snippet at %s runs', (_, s) => {
      const exports = runSnippet(s);
      // An environment must build; an excerpt must say what its file says.
      const buildErrors = Object.values(exports)
        .filter(isEnvironmentLike)
        .flatMap((env) => {
          try {
            buildPlatform(env as Parameters<typeof buildPlatform>[0]);
            return [];
          } catch (e) {
            return [(e as Error).message];
          }
        });
      expect(buildErrors).toEqual([]);
      const real = s.excerptOf ? jest.requireActual<Record<string, unknown>>(s.excerptOf) : exports;
      expect(exports).toEqual(Object.fromEntries(Object.keys(exports).map((k) => [k, real[k]])));
    });
  });
});

/** Runs a snippet as the CommonJS module it compiles to, its relative imports resolved from its folder. */
function runSnippet(s: Snippet): Record<string, unknown> {
  const { outputText } = ts.transpileModule(s.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const mod = { exports: {} as Record<string, unknown> };
  const req = (spec: string) => jest.requireActual(spec.startsWith('.') ? path.resolve(s.dir, spec) : spec);
  new Function('require', 'module', 'exports', outputText)(req, mod, mod.exports);
  return mod.exports;
}

function isEnvironmentLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'services' in v && 'dataTier' in v && 'name' in v;
}
