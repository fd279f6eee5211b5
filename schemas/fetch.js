#!/usr/bin/env node
/**
 * `npm run schemas:fetch [-- --out DIR]`: downloads every upstream schema file named in schemas/manifest.json (each
 * URL pinned to a commit) into DIR (default: $PERFSTACK_SCHEMAS_DIR, else the committed schemas/files/), verifying size
 * and sha256.
 * A file already there with the right checksum is kept. Nothing but Node (>= 18, global fetch) is needed.
 * PERFSTACK_SCHEMAS_MIRROR=<base URL> replaces https://raw.githubusercontent.com (a registry mirror, or tests).
 * Exit 0 when every file is in place and verified; 1 with one line per failing file; 2 on a usage error.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const MANIFEST = path.join(__dirname, 'manifest.json');
const UPSTREAM = 'https://raw.githubusercontent.com';

/** The manifest's entries. */
function readManifest(file = MANIFEST) {
  return JSON.parse(fs.readFileSync(file, 'utf8')).files;
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

/** Why `buf` is not the file `entry` names, or undefined when it is. */
function verify(entry, buf) {
  if (buf.length !== entry.bytes) return `${entry.file}: ${buf.length} bytes, expected ${entry.bytes} (${entry.url})`;
  const sum = sha256(buf);
  if (sum !== entry.sha256) return `${entry.file}: sha256 ${sum}, expected ${entry.sha256} (${entry.url})`;
  return undefined;
}

/** Where an entry is downloaded from: its URL, or the same path under a mirror. */
function sourceUrl(entry, mirror) {
  return mirror ? mirror.replace(/\/+$/, '') + entry.url.slice(UPSTREAM.length) : entry.url;
}

/** Network failures worth another try (a reset or refused connection, a timeout); an HTTP status is an answer. */
const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const ATTEMPTS = 3;

/**
 * The body at `url`, tried up to three times on a transient network failure: every file is fetched at once, and a
 * kept-alive connection the server has just closed fails with ECONNRESET (seen on loopback under load, and on
 * busy CI runners).
 */
async function download(fetchImpl, url) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetchImpl(url);
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { final: true });
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      const code = e.cause && e.cause.code;
      if (e.final || attempt >= ATTEMPTS || !TRANSIENT.has(code)) throw e;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/**
 * Puts every manifest file into `outDir`, verified. Returns what was fetched, what was already there and one line per
 * problem; a file that fails verification is never written.
 */
async function fetchSchemas({ outDir, mirror, entries = readManifest(), fetchImpl = fetch }) {
  fs.mkdirSync(outDir, { recursive: true });
  const result = { fetched: [], cached: [], problems: [] };
  await Promise.all(
    entries.map(async (entry) => {
      const target = path.join(outDir, entry.file);
      if (fs.existsSync(target) && verify(entry, fs.readFileSync(target)) === undefined) {
        result.cached.push(entry.file);
        return;
      }
      const url = sourceUrl(entry, mirror);
      let buf;
      try {
        buf = await download(fetchImpl, url);
      } catch (e) {
        const cause = e.cause && e.cause.code ? ` (${e.cause.code})` : '';
        result.problems.push(`${entry.file}: cannot download ${url}: ${e.message}${cause}`);
        return;
      }
      const problem = verify(entry, buf);
      if (problem) {
        result.problems.push(problem);
        return;
      }
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, buf);
      fs.renameSync(tmp, target);
      result.fetched.push(entry.file);
    }),
  );
  result.problems.sort();
  return result;
}

/** The CLI: returns the exit code. */
async function main(argv, env = process.env, out = process.stdout, err = process.stderr) {
  let outDir = env.PERFSTACK_SCHEMAS_DIR || path.join(__dirname, 'files');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) outDir = argv[++i];
    else {
      err.write(`schemas:fetch: '${argv[i]}' is not an option; use --out DIR\n`);
      return 2;
    }
  }
  const r = await fetchSchemas({ outDir: path.resolve(outDir), mirror: env.PERFSTACK_SCHEMAS_MIRROR });
  for (const p of r.problems) err.write(`schemas:fetch: ${p}\n`);
  out.write(
    `schemas:fetch: ${r.fetched.length} downloaded, ${r.cached.length} already present, ${r.problems.length} failed, in ${outDir}\n`,
  );
  return r.problems.length === 0 ? 0 : 1;
}

module.exports = { readManifest, verify, sourceUrl, fetchSchemas, main, sha256 };

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
