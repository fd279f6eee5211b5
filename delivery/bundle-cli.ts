#!/usr/bin/env node
/**
 * `npm run bundle -- --env airgap --out <dir> [--from <registry>] [--source <prefix>=<registry>...]`
 *
 * The connected side of air-gap delivery: synthesizes the environment, resolves every image it runs to a digest,
 * copies the images into one OCI layout, fetches the operator charts, rewrites the manifests to pull by digest and
 * writes an inventory, install.sh and checksums. Exit 0: done; 1: verification failed; 2: bad input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { Write, parseArgs, toStderr, toStdout } from '../cli/args';
import { OutputError, folderTarget } from '../cli/output';
import { ConfigError } from '../constructs/core/errors';
import { ENVIRONMENTS } from '../stacks/environments';
import { GATEWAY_API_CRDS, needsGatewayApiCrds } from '../stacks/operator-catalogue';
import { renderEnvironment } from '../stacks/synth';
import { BundleError, buildBundle } from './bundle';
import { GatewayApiCrdsError } from './gateway-api-crds';
import { UnpinnedChartsError, operatorCharts } from './operator-charts';
import { SkopeoError } from './skopeo';

interface BuildOptions {
  env: string;
  out: string;
  from?: string;
  source?: string[];
  chartMirror?: string;
  gatewayApiCrds?: string;
  plainHttp?: boolean;
  helm: string;
  force?: boolean;
}

export async function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): Promise<number> {
  const program = new Command()
    .name('bundle')
    .description('Build a verifiable air-gap bundle of an environment: manifests by digest, images, charts, checksums')
    .requiredOption('-e, --env <name>', `environment (${Object.keys(ENVIRONMENTS).join(', ')})`)
    .requiredOption('-o, --out <dir>', 'bundle folder to create (must not exist, or use --force)')
    .option('--from <registry>', 'connected registry holding every image (a mirror); default: each image’s upstream')
    .option('--source <prefix=registry...>', 'registry for images under a path prefix, e.g. perfstack/=ghcr.io/acme')
    .option('--chart-mirror <url>', 'fetch every chart from this Helm repository instead of its own')
    .option('--gateway-api-crds <url>', `fetch Gateway API's standard-install.yaml from this URL instead of ${GATEWAY_API_CRDS.url}`)
    .option('--helm <path>', 'helm binary that renders the charts to find every image they run', 'helm')
    .option('--plain-http', 'reach the source registries over HTTP without TLS (loopback test registries only)')
    .option('--force', 'replace an existing bundle folder');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const opts = program.opts<BuildOptions>();
  const fail = (code: number, lines: string[]) => {
    for (const l of lines) err(`bundle: ${l}\n`);
    return code;
  };
  const env = ENVIRONMENTS[opts.env];
  if (!env)
    return fail(2, [`'--env' (${JSON.stringify(opts.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`]);
  const byPrefix: Record<string, string> = {};
  for (const s of opts.source ?? []) {
    const m = /^([a-z0-9][\w./-]*\/)=([\w.-]+(:\d+)?(\/[\w./-]+)?)$/.exec(s);
    if (!m)
      return fail(2, [`'--source' (${JSON.stringify(s)}) must be <path prefix ending in />=<registry>, e.g. perfstack/=ghcr.io/acme`]);
    byPrefix[m[1]] = m[2];
  }
  let target: string;
  try {
    target = folderTarget(opts.out, '--out');
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    return fail(2, [e.message]);
  }
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !opts.force)
    return fail(2, [`'--out' (${JSON.stringify(opts.out)}) exists and is not empty; choose a new folder or pass --force`]);

  // Built beside the target and renamed into place: an interrupted build never leaves a half bundle at --out.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), '.perfstack-bundle-'));
  try {
    const files = renderEnvironment(env).map((f) => ({ path: f.path.slice(env.name.length + 1), content: f.content }));
    const charts = operatorCharts(env);
    const { aggregate, inventory } = await buildBundle(path.join(staging, 'bundle'), {
      environment: env.name,
      kubernetesVersion: env.kubernetesVersion,
      registry: env.imageRegistry,
      files,
      charts: charts.charts,
      chartImages: charts.images,
      sources: { byPrefix, fallback: opts.from, upstream: charts.upstream },
      access: { tlsVerify: !opts.plainHttp },
      chartMirror: opts.chartMirror,
      gatewayApiCrds: needsGatewayApiCrds(env) ? (opts.gatewayApiCrds ?? GATEWAY_API_CRDS.url) : undefined,
      helm: opts.helm,
    });
    if (fs.existsSync(target)) fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(path.join(staging, 'bundle'), target);
    out(
      `bundle: ${inventory.images.length} images, ${inventory.charts.length} charts, ${inventory.crds.length} CRD files, ${inventory.manifests.length} manifest files in ${opts.out}\n`,
    );
    out(
      `bundle: aggregate sha256 ${aggregate} (send it to the site separately; it checks with ./install.sh verify --expect ${aggregate})\n`,
    );
    return 0;
  } catch (e) {
    if (
      e instanceof ConfigError ||
      e instanceof BundleError ||
      e instanceof SkopeoError ||
      e instanceof UnpinnedChartsError ||
      e instanceof GatewayApiCrdsError
    )
      return fail(2, [...e.message.split('\n'), `nothing written to ${opts.out}`]);
    if (e instanceof Error && /^chart '|^https?:\/\//.test(e.message)) return fail(2, [e.message, `nothing written to ${opts.out}`]);
    throw e;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
