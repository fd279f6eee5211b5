#!/usr/bin/env node
/**
 * `npm run rightsize -- --env prod --cpu cpu.json --pods pods.json --memory memory.json [--oom oom.json]
 *   [--learn-days 14] [--check-days 7] [--format table|json]`
 *
 * Recommends CPU and memory requests (memory limit = request) for an environment's services from Prometheus
 * exports of their usage (queries in planning/rightsize/usage.ts), shows the change against the ServiceSpecs and its monthly
 * saving, backtests it on the days after the learning window, and shows what the VPA recommender would give.
 * Exit 0: printed; 2: bad input.
 */
import * as fs from 'fs';
import { Command } from 'commander';
import { parse } from 'yaml';
import { Write, parseArgs, toStderr, toStdout } from '../../cli/args';
import type { ServiceSpec } from '../../stacks/environment';
import { stacks } from '../shared/stacks-on-demand';
import {
  Check,
  CurrentSizing,
  DEFAULT_PRICES,
  Recommendation,
  ResourcePrices,
  check,
  monthlyCost,
  pricesFromNode,
  recommend,
} from './rightsize';
import { ContainerUsage, UsageError, readExport, slice, usageByContainer } from './usage';
import { DAY_MS } from '../shared/history';

/** The sizing a ServiceSpec gives its container today. */
export function currentSizing(spec: ServiceSpec): CurrentSizing {
  const { cpuCores, cpuTargetOf } = stacks();
  return {
    cpuMillis: cpuCores(spec.resources.cpu) * 1000,
    memoryMiB: (spec.resources.memoryLimit ?? spec.resources.memory).toMebibytes(),
    minReplicas: spec.replicas.min,
    maxReplicas: spec.replicas.max,
    // A service without metrics scales on CPU 70% (ScalableService's default).
    cpuTarget: cpuTargetOf(spec.metrics),
  };
}

/** Resource prices from the stack's on-demand node type (Pulumi.<env>.yaml), else list-price defaults. */
export function stackPrices(env: string): { prices: ResourcePrices; from: string } {
  const file = `Pulumi.${env}.yaml`;
  if (!fs.existsSync(file)) return { prices: DEFAULT_PRICES, from: 'default list prices (no Pulumi stack file)' };
  const config = (parse(fs.readFileSync(file, 'utf8')) as { config?: Record<string, unknown> })?.config ?? {};
  const type = (config['perfstack:nodePools'] as { onDemand?: { instanceTypes?: string[] } } | undefined)?.onDemand?.instanceTypes?.[0];
  const spec = type
    ? (config['perfstack:instanceTypes'] as Record<string, { vcpu: number; memoryGiB: number; onDemandHourly: number }> | undefined)?.[type]
    : undefined;
  if (!type || !spec) return { prices: DEFAULT_PRICES, from: `default list prices (${file} names no on-demand instance type)` };
  return { prices: pricesFromNode(spec.vcpu, spec.memoryGiB, spec.onDemandHourly), from: `${type} on-demand in ${file}` };
}

export interface ServiceResult {
  readonly service: string;
  readonly recommendation: Recommendation;
  readonly monthly: { readonly current: number; readonly recommended: number; readonly vpa: number };
  /** Figures on the check window (the days after the learning window). */
  readonly backtest?: { readonly current: Check; readonly recommended: Check; readonly vpa: Check };
}

export function rightsize(
  usage: readonly ContainerUsage[],
  services: readonly ServiceSpec[],
  prices: ResourcePrices,
  learnDays: number,
  checkDays: number,
): ServiceResult[] {
  const out: ServiceResult[] = [];
  for (const u of usage) {
    const spec = services.find((s) => s.name === u.container);
    if (!spec) continue;
    const current = currentSizing(spec);
    const learnEnd = checkDays > 0 ? u.start + learnDays * DAY_MS : u.start + u.cpuCores.length * u.stepMs;
    const learn = slice(u, u.start, learnEnd);
    const future = checkDays > 0 ? slice(u, learnEnd, learnEnd + checkDays * DAY_MS) : learn;
    const rec = recommend(learn, current);
    const checks = {
      current: check(future, current, rec.current),
      recommended: check(future, current, rec.recommended),
      vpa: check(future, current, rec.vpa),
    };
    out.push({
      service: spec.name,
      recommendation: rec,
      monthly: {
        current: monthlyCost(rec.current, checks.current.meanReplicas, prices),
        recommended: monthlyCost(rec.recommended, checks.recommended.meanReplicas, prices),
        vpa: monthlyCost(rec.vpa, checks.vpa.meanReplicas, prices),
      },
      backtest: checkDays > 0 ? checks : undefined,
    });
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const usd = (x: number) => `$${x.toFixed(2)}`;

export function renderTable(results: readonly ServiceResult[], pricesFrom: string): string {
  const lines = [`service        cpu now -> rec (vpa)        memory now -> rec (vpa)       monthly now -> rec      saved`];
  let now = 0;
  let rec = 0;
  for (const r of results) {
    const { current, recommended, vpa } = r.recommendation;
    now += r.monthly.current;
    rec += r.monthly.recommended;
    lines.push(
      `${r.service.padEnd(14)} ${`${current.cpuMillis}m -> ${recommended.cpuMillis}m (${vpa.cpuMillis}m)`.padEnd(27)} ${`${current.memoryMiB}Mi -> ${recommended.memoryMiB}Mi (${vpa.memoryMiB}Mi)`.padEnd(29)} ${`${usd(r.monthly.current)} -> ${usd(r.monthly.recommended)}`.padEnd(23)} ${usd(r.monthly.current - r.monthly.recommended)}`,
    );
  }
  lines.push(
    `total saved per month: ${usd(now - rec)} of ${usd(now)} (${now > 0 ? pct((now - rec) / now) : '0%'}); prices from ${pricesFrom}`,
  );
  if (results.some((r) => r.backtest)) {
    lines.push('', 'backtest on the days after the learning window: CPU above request (share of time) / steps over the memory limit');
    lines.push('service        current            recommended        vpa');
    for (const r of results) {
      const b = r.backtest!;
      const cell = (c: Check) => `${pct(c.cpuOverShare)} / ${c.oomSteps}`.padEnd(18);
      lines.push(`${r.service.padEnd(14)} ${cell(b.current)} ${cell(b.recommended)} ${cell(b.vpa)}`);
    }
  }
  lines.push('', 'why:');
  for (const r of results) for (const reason of r.recommendation.reasons) lines.push(`  ${r.service}: ${reason}`);
  return `${lines.join('\n')}\n`;
}

export function main(argv: readonly string[], out: Write = toStdout, err: Write = toStderr): number {
  const program = new Command()
    .name('rightsize')
    .requiredOption('-e, --env <name>', 'environment whose ServiceSpecs are compared (dev, staging, prod, ...)')
    .requiredOption('--cpu <file>', 'export of sum by (container) (rate(container_cpu_usage_seconds_total[5m]))')
    .requiredOption('--pods <file>', 'export of count by (container) (container_memory_working_set_bytes)')
    .requiredOption('--memory <file>', 'export of max by (container) (container_memory_working_set_bytes)')
    .option('--oom <file>', 'export of sum by (container) (increase(container_oom_events_total[5m]))')
    .option('--learn-days <n>', 'days to learn from; the rest is the backtest', '14')
    .option('--check-days <n>', 'days after the learning window to check the recommendation on (0: learn on all)', '7')
    .option('-f, --format <format>', 'table or json', 'table');
  const stop = parseArgs(program, argv, out, err);
  if (stop !== undefined) return stop;
  const o = program.opts<{
    env: string;
    cpu: string;
    pods: string;
    memory: string;
    oom?: string;
    learnDays: string;
    checkDays: string;
    format: string;
  }>();
  const problems: string[] = [];
  const { ENVIRONMENTS } = stacks();
  const env = ENVIRONMENTS[o.env];
  if (!env) problems.push(`'--env' (${JSON.stringify(o.env)}) is not an environment; choose from ${Object.keys(ENVIRONMENTS).join(', ')}`);
  const learnDays = Number(o.learnDays);
  const checkDays = Number(o.checkDays);
  if (!Number.isInteger(learnDays) || learnDays < 1)
    problems.push(`'--learn-days' (${JSON.stringify(o.learnDays)}) must be a whole number of days, at least 1`);
  if (!Number.isInteger(checkDays) || checkDays < 0)
    problems.push(`'--check-days' (${JSON.stringify(o.checkDays)}) must be a whole number of days, 0 or more`);
  if (!['table', 'json'].includes(o.format)) problems.push(`'--format' (${JSON.stringify(o.format)}) must be table or json`);
  const files = { cpu: o.cpu, pods: o.pods, memory: o.memory, ...(o.oom ? { oom: o.oom } : {}) };
  for (const [flag, file] of Object.entries(files))
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) problems.push(`'--${flag}' (${JSON.stringify(file)}) is not a file`);
  if (problems.length > 0) {
    for (const p of problems) err(`rightsize: ${p}\n`);
    return 2;
  }
  let usage: ContainerUsage[];
  try {
    const read = (file: string) => readExport(fs.readFileSync(file), file);
    usage = usageByContainer({
      cpu: read(files.cpu),
      pods: read(files.pods),
      memory: read(files.memory),
      oom: files.oom ? read(files.oom) : undefined,
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    for (const p of e.problems) err(`rightsize: ${p}\n`);
    return 2;
  }
  const span = usage[0].cpuCores.length * usage[0].stepMs;
  if (checkDays > 0 && span < (learnDays + checkDays) * DAY_MS) {
    err(
      `rightsize: the exports cover ${(span / DAY_MS).toFixed(1)} days, fewer than --learn-days ${learnDays} + --check-days ${checkDays}; shorten them or export a longer range\n`,
    );
    return 2;
  }
  const known = usage.filter((u) => env!.services.some((s) => s.name === u.container));
  if (known.length === 0) {
    err(
      `rightsize: no container of the exports (${usage.map((u) => u.container).join(', ')}) is a service of ${o.env} (${env!.services.map((s) => s.name).join(', ')})\n`,
    );
    return 2;
  }
  const { prices, from } = stackPrices(env!.name);
  const results = rightsize(known, env!.services, prices, learnDays, checkDays);
  out(
    o.format === 'json' ? `${JSON.stringify({ prices: { ...prices, from }, services: results }, null, 2)}\n` : renderTable(results, from),
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
