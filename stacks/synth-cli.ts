#!/usr/bin/env node
/**
 * `npm run synth [-- --env NAME ...] [--out DIR]`: synthesizes environments to plain YAML under `dist/<env>/`.
 * Usage errors (an unknown flag or environment) exit 2, as in every perfstack CLI; mistakes in an Environment print a
 * one-line-per-problem report and exit 1 with dist/ untouched; anything else is a bug.
 */
import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, folderTarget } from '../cli/output';
import { ConfigError } from '../constructs/core/errors';
import type { Environment } from './environment';
import { EnvironmentSource, environmentNameProblems, loadEnvironments, stackFileErrorLine } from './load-environments';
import type { RenderedFile } from './synth';

/**
 * Required lazily, so that a mistake thrown while the environment modules evaluate is reported, not a stack trace.
 * Nothing this file imports at the top may import a stack file: stacks/synth.ts builds the platform, which imports
 * stacks/services.ts, so it is required here too, inside the same report.
 */
function loadDefaultEnvironments(): Readonly<Record<string, Environment>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./environments') as typeof import('./environments')).ENVIRONMENTS;
}

/** The modules that render and write: they import the stack files (platform.ts imports services.ts). */
function loadSynth(): typeof import('./synth') & Pick<typeof import('./environment'), 'versionWarnings' | 'trafficWarnings'> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('./synth') as typeof import('./synth')),
    versionWarnings: (require('./environment') as typeof import('./environment')).versionWarnings,
    trafficWarnings: (require('./environment') as typeof import('./environment')).trafficWarnings,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * @param source the environments by name, or a function that loads them: the environment modules are user input,
 *   so a mistake that throws while they load (`Duration.seconds(-5)`) is reported as one line, like any other.
 */
export function main(argv: readonly string[], source: EnvironmentSource = loadDefaultEnvironments): number {
  let synth: ReturnType<typeof loadSynth> | undefined;
  const loaded = loadEnvironments(() => {
    synth = loadSynth();
    return typeof source === 'function' ? source() : source;
  });
  if (!loaded.ok) {
    process.stderr.write(`${loaded.problems.join('\n')}\nsynth: nothing written\n`);
    return 1;
  }
  // Set by the loader, which returned without throwing.
  const { renderEnvironment, writeAtomically, versionWarnings, trafficWarnings } = synth!;
  const environments = loaded.environments;
  const program = new Command()
    .name('synth')
    .description('Synthesize perfstack environments to plain Kubernetes YAML')
    .option('-e, --env <name...>', `environments to synthesize (${Object.keys(environments).join(', ')})`)
    .option('-o, --out <dir>', 'output folder', 'dist');
  const stop = parseArgs(program, argv, toStdout, toStderr);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ env?: string[]; out: string }>();
  const names = [...new Set(opts.env ?? Object.keys(environments))];
  const unknown = names.filter((n) => !(n in environments));
  if (unknown.length > 0) {
    process.stderr.write(
      `synth: '--env' (${unknown.map((n) => JSON.stringify(n)).join(', ')}) is not an environment; choose from ${Object.keys(environments).join(', ')}\n`,
    );
    return 2;
  }
  const nameProblems = environmentNameProblems(environments);
  if (nameProblems.length > 0) {
    process.stderr.write(`${nameProblems.join('\n')}\nsynth: nothing written; ${opts.out}/ is unchanged\n`);
    return 1;
  }
  // Every environment is rendered before anything is written, and the problems of all of them are reported at once.
  const files: RenderedFile[] = [];
  const problems: string[] = [];
  for (const n of names) {
    try {
      files.push(...renderEnvironment(environments[n]));
    } catch (e) {
      // A stack file's function called while the App is built can throw cdk8s's refusal too: same one-line report.
      const line = e instanceof ConfigError ? e.message : stackFileErrorLine(e);
      if (line === undefined) throw e;
      problems.push(line);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\nsynth: nothing written; ${opts.out}/ is unchanged\n`);
    return 1;
  }
  try {
    // A FIFO, device or file at --out, or a symbolic link at dist/<env>, is refused: the swap would replace it.
    folderTarget(opts.out, '--out');
    for (const n of names) {
      const envDir = path.join(opts.out, n);
      if (fs.existsSync(envDir) && folderTarget(envDir, '--out') !== path.resolve(fs.realpathSync(opts.out), n))
        throw new OutputError(envDir, `it is a symbolic link; synth replaces ${n}/ whole, so name a folder without links`, '--out');
    }
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    process.stderr.write(`synth: ${e.message}\nsynth: nothing written\n`);
    return 2;
  }
  try {
    writeAtomically(opts.out, names, files);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    process.stderr.write(`synth: '--out' (${JSON.stringify(opts.out)}) cannot be written (${code}); choose a folder you can write\n`);
    return 1;
  }
  mirrorForCdk8sCli(opts.out, names);
  for (const w of names.flatMap((n) => versionWarnings(environments[n], new Date()))) process.stderr.write(`synth: warning: ${w}\n`);
  for (const w of names.flatMap((n) => trafficWarnings(environments[n]))) process.stderr.write(`synth: warning: ${w}\n`);
  process.stdout.write(`synth: wrote ${files.length} files for ${names.join(', ')} to ${opts.out}/\n`);
  return 0;
}

/**
 * `npx cdk8s synth` empties its `output` folder before it runs the app, so cdk8s.yaml points it at a scratch folder
 * (`CDK8S_OUTDIR`) and the app writes `--out` itself, atomically: a failure leaves the previous manifests in place.
 * The same files are then copied to the scratch folder for the CLI to list (and its validation plugins to read).
 */
function mirrorForCdk8sCli(out: string, names: readonly string[]): void {
  const scratch = process.env.CDK8S_OUTDIR;
  if (!scratch || path.resolve(scratch) === path.resolve(out)) return;
  for (const n of names) fs.cpSync(path.join(out, n), path.join(scratch, n), { recursive: true });
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
