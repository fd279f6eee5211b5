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
import { ConfigError } from '../constructs/core/errors';
import { Environment, versionWarnings } from './environment';
import { ENVIRONMENTS } from './environments';
import { RenderedFile, renderEnvironment, writeAtomically } from './synth';

export function main(argv: readonly string[], environments: Readonly<Record<string, Environment>> = ENVIRONMENTS): number {
  const program = new Command()
    .name('synth')
    .description('Synthesize perfstack environments to plain Kubernetes YAML')
    .option('-e, --env <name...>', `environments to synthesize (${Object.keys(environments).join(', ')})`)
    .option('-o, --out <dir>', 'output folder', 'dist');
  const stop = parseArgs(program, argv, toStdout, toStderr);
  if (stop !== undefined) return stop;
  const opts = program.opts<{ env?: string[]; out: string }>();
  const names = opts.env ?? Object.keys(environments);
  const unknown = names.filter((n) => !(n in environments));
  if (unknown.length > 0) {
    process.stderr.write(
      `synth: '--env' (${unknown.map((n) => JSON.stringify(n)).join(', ')}) is not an environment; choose from ${Object.keys(environments).join(', ')}\n`,
    );
    return 2;
  }
  try {
    const files: RenderedFile[] = names.flatMap((n) => renderEnvironment(environments[n]));
    writeAtomically(opts.out, names, files);
    mirrorForCdk8sCli(opts.out, names);
    for (const w of names.flatMap((n) => versionWarnings(environments[n], new Date()))) process.stderr.write(`synth: warning: ${w}\n`);
    process.stdout.write(`synth: wrote ${files.length} files for ${names.join(', ')} to ${opts.out}/\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nsynth: nothing written; ${opts.out}/ is unchanged\n`);
      return 1;
    }
    throw e;
  }
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
