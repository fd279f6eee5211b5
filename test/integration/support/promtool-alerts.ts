/** `promtool test rules` for one question: how many alerts matching a selector fire at a time, given input series. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { stringify } from 'yaml';

export interface FiringCheck {
  readonly promtool: string;
  /** The rule file under test. */
  readonly rules: string;
  /** Where the test file is written. */
  readonly testFile: string;
  readonly series: readonly { readonly series: string; readonly values: string }[];
  /** The ALERTS selector, e.g. `alertname="X",alertstate="firing"`. */
  readonly selector: string;
  readonly evalTime: string;
  readonly expected: number;
}

/** 'SUCCESS' when exactly `expected` alerts match at `evalTime`, else promtool's own report. */
export function firingCount(c: FiringCheck): string {
  const test = {
    rule_files: [c.rules],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: c.series,
        promql_expr_test: [
          { expr: `count(ALERTS{${c.selector}}) or vector(0)`, eval_time: c.evalTime, exp_samples: [{ labels: '{}', value: c.expected }] },
        ],
      },
    ],
  };
  fs.writeFileSync(c.testFile, stringify(test, { lineWidth: 0 }));
  const r = spawnSync(c.promtool, ['test', 'rules', c.testFile], { encoding: 'utf8' });
  return r.status === 0 ? 'SUCCESS' : `${r.stdout}${r.stderr}`;
}
