#!/usr/bin/env node
/**
 * `npm run bundle:verify -- <dir> [--expect <aggregate>]`: the same checks as the bundle's `install.sh verify`,
 * from Node, on the site side of air-gap delivery. Exit 0: intact; 1: a file missing, changed or added, or the
 * aggregate is not the one expected; 2: bad input.
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { verifyChecksums } from './checksums';

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('bundle:verify')
    .argument('<dir>', 'bundle folder')
    .option('--expect <sha256>', 'aggregate checksum the connected side printed');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const dir = program.args[0];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    err(`bundle:verify: '<dir>' (${JSON.stringify(dir)}) is not a folder\n`);
    return 2;
  }
  const problems = verifyChecksums(dir, program.opts<{ expect?: string }>().expect);
  for (const p of problems) err(`bundle:verify: ${p}\n`);
  if (problems.length > 0) return 1;
  out(`bundle:verify: ${dir} is intact\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
