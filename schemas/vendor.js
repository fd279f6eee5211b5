#!/usr/bin/env node
/**
 * `npm run schemas:vendor [-- --from DIR]`: copies every file named in schemas/manifest.json from DIR (default
 * ../shared/crds, the workplace's copy of the upstream files) into schemas/files/, the committed folder a clone's
 * tests fall back to, verifying size and sha256 first. Run it after adding manifest entries; a file whose checksum
 * differs is never copied. Exit 0 when every file is in place and verified; 1 with one line per failing file; 2 on a
 * usage error.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { readManifest, verify } = require('./fetch');

const VENDORED = path.join(__dirname, 'files');

/** Copies each verified entry from `fromDir` to `toDir`; returns what was copied and one line per problem. */
function vendorSchemas({ fromDir, toDir = VENDORED, entries = readManifest() }) {
  fs.mkdirSync(toDir, { recursive: true });
  const result = { copied: [], problems: [] };
  for (const entry of entries) {
    const source = path.join(fromDir, entry.file);
    let buf;
    try {
      buf = fs.readFileSync(source);
    } catch (e) {
      result.problems.push(`${entry.file}: cannot read ${source} (${e.code || e.message})`);
      continue;
    }
    const problem = verify(entry, buf);
    if (problem) {
      result.problems.push(problem);
      continue;
    }
    const target = path.join(toDir, entry.file);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, target);
    result.copied.push(entry.file);
  }
  return result;
}

/** The CLI: returns the exit code. */
function main(argv, out = process.stdout, err = process.stderr) {
  let fromDir = path.join(__dirname, '..', '..', 'shared', 'crds');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--from' && argv[i + 1]) fromDir = argv[++i];
    else {
      err.write(`schemas:vendor: '${argv[i]}' is not an option; use --from DIR\n`);
      return 2;
    }
  }
  const r = vendorSchemas({ fromDir: path.resolve(fromDir) });
  for (const p of r.problems) err.write(`schemas:vendor: ${p}\n`);
  out.write(`schemas:vendor: ${r.copied.length} copied, ${r.problems.length} failed, from ${fromDir} to ${VENDORED}\n`);
  return r.problems.length === 0 ? 0 : 1;
}

module.exports = { vendorSchemas, main, VENDORED };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
