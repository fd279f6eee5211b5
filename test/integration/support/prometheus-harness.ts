import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Rule, RuleGroup } from '../../../constructs/observability/rule-groups';
import { RunningPrometheus, startPrometheus } from './prometheus';

/**
 * A real Prometheus over a backfilled TSDB, for rules evaluated on history: raw series come from an OpenMetrics
 * file, recording rules are backfilled group by group from Prometheus' own evaluation of them (query_range), and
 * alert conditions are read back with query_range.
 */
export class BackfilledPrometheus {
  public url = '';
  private running?: RunningPrometheus;

  constructor(
    private readonly bin: { prometheus: string; promtool: string },
    private readonly work: string,
  ) {}

  private get tsdb(): string {
    return path.join(this.work, 'tsdb');
  }

  /** Writes `openMetrics` (ending in `# EOF`) into the TSDB and starts Prometheus on it. */
  public async load(openMetrics: string): Promise<void> {
    const file = path.join(this.work, 'raw.om');
    fs.writeFileSync(file, openMetrics);
    execFileSync(this.bin.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=720h', file, this.tsdb], {
      stdio: 'pipe',
    });
    fs.rmSync(file);
    await this.start();
  }

  /**
   * Backfills each recording group in order over [start, end] at `step` seconds, restarting Prometheus after each so
   * the next group reads what the previous one recorded. This is what `promtool tsdb create-blocks-from rules` does
   * (query_range per rule, samples written as blocks), but into a few large blocks: promtool writes one block per
   * 2 hours and rule, thousands over weeks, which Prometheus then takes minutes to open.
   */
  public async backfill(groups: readonly RuleGroup[], start: number, end: number, stepSeconds: number): Promise<void> {
    for (const g of groups) {
      const lines: string[] = [];
      // The rules of a group read only earlier groups: Prometheus evaluates them side by side.
      const recorded = g.rules.filter((r) => r.record);
      const results = await Promise.all(recorded.map((r) => this.range(r.expr, start, end, stepSeconds)));
      for (const [i, rule] of recorded.entries()) {
        lines.push(`# TYPE ${rule.record!.replace(/:/g, '_')} gauge`);
        for (const s of results[i]) {
          const labels = { ...s.metric, ...(rule.labels ?? {}) };
          delete labels.__name__;
          const text = Object.entries(labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(',');
          for (const [t, v] of s.values) lines.push(`${rule.record}{${text}} ${v} ${t}`);
        }
      }
      await this.stop();
      const file = path.join(this.work, 'recorded.om');
      fs.writeFileSync(file, `${lines.join('\n')}\n# EOF\n`);
      execFileSync(this.bin.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=720h', file, this.tsdb], {
        stdio: 'pipe',
      });
      await this.start();
    }
  }

  /** query_range of `expr` from `start` to `end` at `stepSeconds`, in pieces under Prometheus' 11,000-point limit. */
  public async range(
    expr: string,
    start: number,
    end: number,
    stepSeconds: number,
  ): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
    const out: { metric: Record<string, string>; values: [number, string][] }[] = [];
    const span = 10000 * stepSeconds;
    for (let from = start; from <= end; from += span + stepSeconds) {
      const to = Math.min(end, from + span);
      const q = new URLSearchParams({ query: expr, start: String(from), end: String(to), step: String(stepSeconds) });
      const body = (await (await fetch(`${this.url}/api/v1/query_range?${q}`)).json()) as {
        status: string;
        error?: string;
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      out.push(...body.data.result);
    }
    return out;
  }

  /** The firing episodes of each alerting rule from `start` to `end`, its condition held for its `for` as Prometheus does. */
  public async firing(
    rules: readonly Rule[],
    start: number,
    end: number,
    stepSeconds: number,
  ): Promise<Record<string, { from: number; to: number }[]>> {
    const out: Record<string, { from: number; to: number }[]> = {};
    for (const rule of rules.filter((r) => r.alert)) {
      const held = await this.present(rule.expr, start, end, stepSeconds);
      out[rule.alert!] = firingEpisodes(held, start, end, stepSeconds, durationSeconds(rule.for ?? '0s'));
    }
    return out;
  }

  /** The timestamps (s) from `start` to `end` at `stepSeconds` at which `expr` has a value. */
  public async present(expr: string, start: number, end: number, stepSeconds: number): Promise<Set<number>> {
    return new Set((await this.range(expr, start, end, stepSeconds)).flatMap((s) => s.values.map(([t]) => t)));
  }

  public async start(): Promise<void> {
    // Backfilled history may be decades old: keep it all; queries over weeks of per-minute series need more samples.
    this.running = await startPrometheus(this.bin.prometheus, this.work, '100y', ['--query.max-samples=200000000']);
    this.url = this.running.url;
  }

  public async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}

/**
 * Prometheus' `for`: an alert fires at an evaluation once its condition has held at every evaluation for `forSeconds`.
 * Returns the firing episodes (first and last firing time) from the times the condition held.
 */
export function firingEpisodes(
  held: ReadonlySet<number>,
  start: number,
  end: number,
  stepSeconds: number,
  forSeconds: number,
): { from: number; to: number }[] {
  const episodes: { from: number; to: number }[] = [];
  let activeSince: number | undefined;
  for (let t = start; t <= end; t += stepSeconds) {
    if (!held.has(t)) {
      activeSince = undefined;
      continue;
    }
    activeSince ??= t;
    if (t - activeSince < forSeconds) continue;
    const last = episodes[episodes.length - 1];
    if (last && last.to === t - stepSeconds) last.to = t;
    else episodes.push({ from: t, to: t });
  }
  return episodes;
}

/** Seconds of a Prometheus duration such as `1h30m`. */
export function durationSeconds(d: string): number {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const [, n, u] of d.matchAll(/([0-9]+)([smhdw])/g)) total += Number(n) * unit[u];
  return total;
}
