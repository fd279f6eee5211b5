import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { ConfigError, Problems } from '../../../constructs/core/errors';
import { cidrProblem } from '../../../constructs/core/grammars';
import {
  checkShape,
  cpu,
  duration,
  grammar,
  instanceOf,
  num,
  percent,
  shapeProblems,
  size,
  strict,
  stringMap,
  z,
} from '../../../constructs/core/schema';

/** The problems of one value as `{input: fix}`, the two parts a reader acts on. */
const fixes = (schema: z.ZodType, value: unknown, prefix = '') =>
  Object.fromEntries(shapeProblems(schema, value, prefix).map((p) => [p.input, p.fix]));

describe('checkShape', () => {
  const schema = strict({ replicas: num({ min: 1, integer: true }), name: z.string() });

  it('records nothing and returns true for a value of the right shape', () => {
    const problems = new Problems('prod/api');
    expect(checkShape(problems, schema, { replicas: 2, name: 'api' })).toBe(true);
    expect(problems.count).toBe(0);
  });

  it('records every issue at once, each with the input, the value as written and the fix', () => {
    const problems = new Problems('prod/api');
    expect(checkShape(problems, schema, { replicas: 0, name: 3 }, 'service')).toBe(false);
    expect(() => problems.throwIfAny()).toThrow(
      new ConfigError('prod/api', [
        { input: 'service.replicas', value: 0, fix: 'must be >= 1' },
        { input: 'service.name', value: 3, fix: 'must be text in quotes' },
      ]),
    );
  });
});

describe('shapeProblems paths', () => {
  it('joins object keys with dots and list positions with brackets, after the prefix', () => {
    const schema = strict({ pools: z.array(strict({ zones: z.array(z.string()) })) });
    expect(shapeProblems(schema, { pools: [{ zones: ['a'] }, { zones: ['b', 7] }] }, 'env')).toEqual([
      { input: 'env.pools[1].zones[1]', value: 7, fix: 'must be text in quotes' },
    ]);
  });

  it('names a top-level field without a leading dot when there is no prefix', () => {
    expect(shapeProblems(strict({ a: z.string() }), { a: 1 }).map((p) => p.input)).toEqual(['a']);
  });
});

describe('unknown fields', () => {
  const schema = strict({ replicas: num(), image: z.string() });

  it('reports each unknown key as its own problem, with its value and the known fields', () => {
    expect(shapeProblems(schema, { replicas: 1, image: 'x', replica: 2, imag: 'y' }, 'api')).toEqual([
      { input: 'api.replica', value: 2, fix: "is not a field of 'api'; known: replicas, image (misspelt, or in the wrong place?)" },
      { input: 'api.imag', value: 'y', fix: "is not a field of 'api'; known: replicas, image (misspelt, or in the wrong place?)" },
    ]);
  });

  it('says "is not a field" without a parent name at the top level', () => {
    expect(fixes(schema, { replicas: 1, image: 'x', extra: true })).toEqual({
      extra: 'is not a field; known: replicas, image (misspelt, or in the wrong place?)',
    });
  });

  it('names the nested object an unknown key is in', () => {
    const nested = strict({ slo: strict({ target: num() }) });
    expect(fixes(nested, { slo: { target: 99, targt: 99 } })).toEqual({
      'slo.targt': "is not a field of 'slo'; known: target (misspelt, or in the wrong place?)",
    });
  });
});

describe('type mistakes', () => {
  it('says a missing field is required and what kind of value it takes', () => {
    const schema = strict({ a: z.number(), b: z.string(), c: z.boolean(), d: z.array(z.string()), e: strict({}) });
    expect(fixes(schema, {})).toEqual({
      a: 'is required (a number)',
      b: 'is required (text in quotes)',
      c: 'is required (true or false)',
      d: 'is required (a list)',
      e: 'is required (an object)',
    });
  });

  it('tells a number written in quotes to drop the quotes, and a quoted boolean too', () => {
    const schema = strict({ n: num(), b: z.boolean() });
    expect(fixes(schema, { n: '3', b: 'true' })).toEqual({
      n: 'must be a number, not text: write 3 without quotes',
      b: 'must be true or false, not text: write true without quotes',
    });
  });

  it('does not suggest dropping quotes from text that is not a number', () => {
    expect(fixes(strict({ n: num() }), { n: 'three' })).toEqual({ n: 'must be a number' });
    expect(fixes(strict({ n: num() }), { n: ' ' })).toEqual({ n: 'must be a number' });
  });

  it('refuses NaN and Infinity as not finite', () => {
    expect(fixes(strict({ n: num() }), { n: NaN })).toEqual({ n: 'must be a finite number' });
    expect(fixes(strict({ n: num() }), { n: Infinity })).toEqual({ n: 'must be a finite number' });
  });

  it('lists the allowed values of an enum', () => {
    expect(fixes(strict({ tier: z.enum(['gold', 'silver']) }), { tier: 'bronze' })).toEqual({ tier: 'must be one of "gold", "silver"' });
  });

  it('lists the allowed tags of a discriminated union, at the tag', () => {
    const schema = z.discriminatedUnion('type', [strict({ type: z.literal('cpu') }), strict({ type: z.literal('rps') })]);
    expect(shapeProblems(schema, { type: 'memory' }, 'metric')).toEqual([
      { input: 'metric.type', value: 'memory', fix: 'must be one of "cpu", "rps"' },
    ]);
  });

  it('shows a bad record key with the key grammar reason', () => {
    const schema = z.record(
      grammar((k) => (k.includes(' ') ? 'must not contain spaces' : undefined)),
      z.string(),
    );
    const problems = shapeProblems(schema, { 'bad key': 'v' }, 'labels');
    expect(problems).toHaveLength(1);
    expect(problems[0].value).toBe('bad key');
    expect(problems[0].fix).toBe('is not a valid key: must not contain spaces');
  });
});

describe('num', () => {
  it('names the bounds and the unit in its messages', () => {
    const schema = strict({ n: num({ min: 1, max: 10, unit: 'replicas' }) });
    expect(fixes(schema, { n: 0 })).toEqual({ n: 'must be >= 1 replicas' });
    expect(fixes(schema, { n: 11 })).toEqual({ n: 'must be <= 10 replicas' });
  });

  it('excludes the lower bound with `above`', () => {
    const schema = strict({ n: num({ above: 0 }) });
    expect(fixes(schema, { n: 0 })).toEqual({ n: 'must be above 0' });
    expect(fixes(schema, { n: 0.001 })).toEqual({});
  });

  it('refuses a fraction where a count belongs', () => {
    expect(fixes(strict({ n: num({ integer: true }) }), { n: 1.5 })).toEqual({ n: 'must be a whole number' });
  });

  it('accepts exactly the numbers inside [min, max]', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        (v) => num({ min: -10, max: 10 }).safeParse(v).success === (v >= -10 && v <= 10),
      ),
    );
  });
});

describe('percent', () => {
  it('accepts exactly the numbers in [0, 100] by default', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1000, max: 1000 }), (v) => percent().safeParse(v).success === (v >= 0 && v <= 100)),
    );
  });

  it('suggests the percentage when a fraction is given where a percentage has a higher minimum', () => {
    expect(fixes(strict({ p: percent({ min: 1 }) }), { p: 0.6 })).toEqual({
      p: 'must be a percentage between 1 and 100; did you mean 60?',
    });
  });

  it('excludes the maximum when asked, and says so', () => {
    expect(fixes(strict({ p: percent({ max: 100, maxExclusive: true }) }), { p: 100 })).toEqual({
      p: 'must be a percentage between 0 and 100 (exclusive)',
    });
    expect(percent({ maxExclusive: true }).safeParse(99.99).success).toBe(true);
  });

  it('asks for a whole-number percentage when integer, without a hint for values above 1', () => {
    expect(fixes(strict({ p: percent({ integer: true }) }), { p: 50.5 })).toEqual({
      p: 'must be a whole-number percentage between 0 and 100',
    });
  });
});

describe('grammar', () => {
  const cidr = grammar((v) => cidrProblem(v));

  it("reports the grammar function's own reason", () => {
    expect(fixes(strict({ vpc: cidr }), { vpc: '10.0.0.0' })).toEqual({ vpc: cidrProblem('10.0.0.0') });
    expect(fixes(strict({ vpc: cidr }), { vpc: '10.0.0.0/16' })).toEqual({});
  });

  it('wants text before the grammar runs', () => {
    expect(fixes(strict({ vpc: cidr }), { vpc: 10 })).toEqual({ vpc: 'must be text in quotes' });
  });
});

describe('quantities', () => {
  it('accepts a Size in whole mebibytes and refuses a fraction of one, saying how to write it', () => {
    expect(fixes(strict({ m: size() }), { m: Size.mebibytes(512) })).toEqual({});
    expect(fixes(strict({ m: size() }), { m: Size.kibibytes(1536) })).toEqual({
      m: 'must be a whole number of mebibytes, e.g. Size.mebibytes(512)',
    });
    expect(fixes(strict({ m: size({ whole: 'Gi' }) }), { m: Size.mebibytes(512) })).toEqual({
      m: 'must be a whole number of gibibytes, e.g. Size.gibibytes(1)',
    });
  });

  it('refuses a plain string where a Size belongs, naming the factories', () => {
    expect(fixes(strict({ m: size() }), { m: '512Mi' })).toEqual({ m: 'must be made with Size.mebibytes(512) or Size.gibibytes(1)' });
  });

  it('refuses zero CPU and a plain number where a Cpu belongs', () => {
    expect(fixes(strict({ c: cpu() }), { c: Cpu.millis(0) })).toEqual({ c: 'must be above zero, e.g. Cpu.millis(250)' });
    expect(fixes(strict({ c: cpu() }), { c: 0.5 })).toEqual({ c: 'must be made with Cpu.millis(500) or Cpu.units(1)' });
    expect(fixes(strict({ c: cpu() }), { c: Cpu.millis(250) })).toEqual({});
  });

  it('keeps a Duration within its bounds and in whole seconds when asked', () => {
    const d = duration({ max: Duration.minutes(10), wholeSeconds: true });
    expect(fixes(strict({ d }), { d: Duration.minutes(11) })).toEqual({ d: 'must be at most 10 minutes' });
    expect(fixes(strict({ d }), { d: Duration.millis(1500) })).toEqual({ d: 'must be a whole number of seconds' });
    expect(fixes(strict({ d }), { d: Duration.seconds(30) })).toEqual({});
    expect(fixes(strict({ d }), { d: '30s' })).toEqual({ d: 'must be made with Duration.seconds(30), Duration.minutes(5), ...' });
  });
});

describe('instanceOf', () => {
  class Choice {
    private constructor(readonly name: string) {}
    static a() {
      return new Choice('a');
    }
  }

  it('accepts instances made by the static factories and refuses look-alike objects', () => {
    const schema = instanceOf(Choice, 'Choice.a()');
    expect(schema.safeParse(Choice.a()).success).toBe(true);
    expect(fixes(strict({ c: schema }), { c: { name: 'a' } })).toEqual({ c: 'must be made with Choice.a()' });
    expect(fixes(strict({ c: schema }), { c: null })).toEqual({ c: 'must be made with Choice.a()' });
  });
});

describe('stringMap', () => {
  it('accepts text values and refuses a number, at its key', () => {
    expect(fixes(strict({ labels: stringMap() }), { labels: { team: 'a' } })).toEqual({});
    expect(fixes(strict({ labels: stringMap() }), { labels: { team: 'a', replicas: 3 } })).toEqual({
      'labels.replicas': 'must be text in quotes',
    });
  });
});
