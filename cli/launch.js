#!/usr/bin/env node
'use strict';
/**
 * Runs a compiled CLI of the synth project after type-checking it: `node cli/launch.js stacks/main --out dist` is
 * `tsc -b tsconfig.synth.json && node lib/stacks/synth-cli.js --out dist` in one process.
 *
 * When lib/ is provably fresh the compiler is not even loaded: that check alone, loading TypeScript to find nothing
 * to do, was 0.17 s of the 0.9 s `npm run synth`. "Fresh" is tsc -b's own up-to-date rule, applied more strictly:
 * the last build succeeded with nothing pending and was made by the installed TypeScript, and nothing changed since
 * the start of the last `tsc -b` that succeeded (the time in lib/.synth.checked): no file the program read (sources,
 * JSON, declarations in node_modules), no tsconfig or package.json, and no folder of a source file (a file added,
 * removed or renamed changes its folder). Anything else, or any doubt, runs `tsc -b` exactly as before, with its
 * messages and exit status.
 *
 * Plain JavaScript, because it runs before anything is compiled (a fresh clone has no lib/).
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const PROJECT = 'tsconfig.synth.json';
/** What a clean build info holds; errors, pending emits or checks add other keys. */
const CLEAN_KEYS = new Set(['fileNames', 'fileIdsList', 'fileInfos', 'root', 'options', 'referencedMap', 'version']);

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * True when `tsc -b tsconfig.synth.json` in `root` would find nothing to do and `lib/<entry>.js` exists; false
 * whenever that is not certain.
 */
function fresh(root, entry, typescriptVersion = require('typescript/package.json').version) {
  const buildInfo = path.join(root, 'lib/.synth.tsbuildinfo');
  const checkedFile = path.join(root, 'lib/.synth.checked');
  let info;
  try {
    info = JSON.parse(fs.readFileSync(buildInfo, 'utf8'));
  } catch {
    return false;
  }
  if (!Object.keys(info).every((k) => CLEAN_KEYS.has(k)) || !Array.isArray(info.fileNames)) return false;
  if (info.version !== typescriptVersion) return false;
  const checked = fs.existsSync(checkedFile) ? mtimeMs(checkedFile) : -Infinity;
  if (mtimeMs(path.join(root, 'lib', `${entry}.js`)) === Infinity) return false;
  const inputs = info.fileNames.map((f) => path.resolve(path.dirname(buildInfo), f));
  const configs = ['tsconfig.json', PROJECT, 'package.json'].map((f) => path.join(root, f));
  const folders = new Set();
  for (const f of inputs) {
    if (path.relative(root, f).startsWith('node_modules')) continue;
    for (let d = path.dirname(f); d.startsWith(root + path.sep); d = path.dirname(d)) folders.add(d);
  }
  return [...inputs, ...configs, ...folders].every((f) => mtimeMs(f) <= checked);
}

/**
 * `tsc -b tsconfig.synth.json` in `root` unless lib/ is {@link fresh}, recording a success in lib/.synth.checked so
 * the next caller skips the compiler. Returns tsc's exit status, 0 when there was nothing to do.
 */
function typecheck(root, entry) {
  if (fresh(root, entry)) return 0;
  // Whole seconds, a second before tsc reads anything: a file saved while it runs is newer, checked next time.
  const started = new Date(Math.floor(Date.now() / 1000 - 1) * 1000);
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', PROJECT], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) return tsc.status ?? 1;
  const checked = path.join(root, 'lib/.synth.checked');
  fs.writeFileSync(checked, `tsc -b ${PROJECT} succeeded; nothing changed before ${started.toISOString()} (cli/launch.js)\n`);
  fs.utimesSync(checked, started, started);
  return 0;
}

/**
 * Type-checks and compiles when needed, then runs `lib/<entry>.js`'s `main(args)`; returns the exit code, or a
 * promise of it for a CLI that waits on the network (a `main` that is async).
 */
function launch(argv, root = path.resolve(__dirname, '..')) {
  const [entry, ...args] = argv;
  if (!entry) {
    process.stderr.write('usage: node cli/launch.js <entry, e.g. stacks/main> [arguments]\n');
    return 2;
  }
  const status = typecheck(root, entry);
  if (status !== 0) return status;
  return require(path.join(root, 'lib', `${entry}.js`)).main(args);
}

module.exports = { fresh, typecheck, launch };

if (require.main === module) Promise.resolve(launch(process.argv.slice(2))).then((code) => (process.exitCode = code));
