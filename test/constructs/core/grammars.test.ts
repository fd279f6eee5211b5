import fc from 'fast-check';
import {
  cidrProblem,
  cronProblem,
  fractionHint,
  imageReferenceProblem,
  isTimeZone,
  promDurationProblem,
  registryProblem,
  urlProblem,
} from '../../../constructs/core/grammars';
import { isLabelValue } from '../../../constructs/core/labels';

const octet = fc.integer({ min: 0, max: 255 });
// Host names; labels with `-` in the 3rd and 4th place (`xn--`) are IDNA, which URL parsing checks as punycode.
const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9](\.[a-z][a-z0-9]{1,8}){0,2}$/).filter((h) => !/^..--/.test(h));

describe('CIDR grammar', () => {
  it('accepts every network address with a prefix of 0 to 32', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 0, max: 32 }), (o, prefix) => {
        const address = o.reduce((acc, x) => acc * 256 + x, 0);
        const network = prefix === 0 ? 0 : address - (address % 2 ** (32 - prefix));
        const text = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.');
        expect(cidrProblem(`${text}/${prefix}`)).toBeUndefined();
      }),
    );
  });

  it('rejects an octet above 255, naming it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 999 }), fc.integer({ min: 0, max: 3 }), (bad, at) => {
        const o = ['10', '0', '0', '0'];
        o[at] = String(bad);
        expect(cidrProblem(`${o.join('.')}/32`)).toBe(`has octet ${bad}; each octet is 0 to 255, without leading zeros`);
      }),
    );
  });

  it('rejects a prefix above /32, naming it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 33, max: 99 }), (prefix) => {
        expect(cidrProblem(`10.0.0.0/${prefix}`)).toBe(`has prefix /${prefix}; an IPv4 prefix is at most /32`);
      }),
    );
  });

  it('rejects a URL where a CIDR belongs', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https', 's3'), host, (scheme, h) => {
        expect(cidrProblem(`${scheme}://${h}/16`)).toMatch(/^is a URL; must be an IPv4 CIDR/);
      }),
    );
  });

  it('rejects a prefix outside the bounds a field allows', () => {
    expect(cidrProblem('10.30.0.0/24', { minPrefix: 16, maxPrefix: 20 })).toBe(
      'must be an IPv4 CIDR from /16 to /20, such as "10.30.0.0/16"',
    );
  });
});

describe('URL grammar', () => {
  it('requires the scheme', () => {
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
        expect(urlProblem(`${h}:${port}/api`)).toMatch(/must be an absolute URL starting with http:\/\/ or https:\/\//);
        expect(urlProblem(`http://${h}:${port}/api`)).toBeUndefined();
      }),
    );
  });

  it('refuses schemes the field does not speak', () => {
    expect(urlProblem('ftp://files.example.com')).toMatch(/the scheme is required/);
  });
});

describe('cron grammar', () => {
  const field = (min: number, max: number) => fc.integer({ min, max }).map(String);

  it('accepts every schedule of in-range numbers, ranges, lists and steps', () => {
    const item = (min: number, max: number) =>
      fc.oneof(
        fc.constant('*'),
        field(min, max),
        fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.integer({ min: 1, max: 10 }).map((s) => `*/${s}`),
      );
    fc.assert(
      fc.property(item(0, 59), item(0, 23), item(1, 31), item(1, 12), item(0, 6), (...f) => {
        expect(cronProblem(f.join(' '))).toBeUndefined();
        expect(cronProblem(`0 ${f.join(' ')}`, 'with-seconds')).toBeUndefined();
      }),
    );
  });

  it('rejects an out-of-range value, naming the field and its range', () => {
    const cases: [number, string, number, number][] = [
      [0, 'minute', 0, 59],
      [1, 'hour', 0, 23],
      [2, 'day-of-month', 1, 31],
      [3, 'month', 1, 12],
      [4, 'day-of-week', 0, 6],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.integer({ min: 0, max: 200 }), ([at, name, min, max], v) => {
        fc.pre(v < min || v > max);
        const fields = ['0', '3', '*', '*', '*'];
        fields[at] = String(v);
        expect(cronProblem(fields.join(' '))).toBe(`is not a valid cron schedule: ${name} ${v} is outside ${min}-${max}`);
      }),
    );
  });

  it('counts fields: five for a CronJob, six with seconds for a backup', () => {
    expect(cronProblem('0 0 2 * * *')).toMatch(/^has 6 field\(s\); a cron schedule here has 5/);
    expect(cronProblem('0 2 * * *', 'with-seconds')).toMatch(/^has 5 field\(s\); a cron schedule here has 6/);
    expect(cronProblem('@daily')).toBeUndefined();
    expect(cronProblem('0 25 * * *')).toBe('is not a valid cron schedule: hour 25 is outside 0-23');
  });
});

describe('time zone grammar', () => {
  it('knows IANA names and refuses made-up ones', () => {
    expect(isTimeZone('Europe/Dublin')).toBe(true);
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][a-z]{3,8}\/[A-Z][a-z]{3,8}[0-9]$/), (tz) => {
        expect(isTimeZone(tz)).toBe(false);
      }),
    );
  });
});

describe('registry and image reference grammar', () => {
  it('refuses a scheme on a registry or image', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https', 'oci'), host, (scheme, h) => {
        expect(registryProblem(`${scheme}://${h}`)).toMatch(/must not have a scheme/);
        expect(imageReferenceProblem(`${scheme}://${h}/web/api:1.0`)).toMatch(/has a scheme/);
        expect(registryProblem(h)).toBeUndefined();
        expect(imageReferenceProblem(`${h}:5000/web/api:1.0`)).toBeUndefined();
      }),
    );
  });

  it('refuses a trailing slash and uppercase repositories', () => {
    expect(registryProblem('registry.example.com/')).toMatch(/ends with a slash/);
    expect(imageReferenceProblem('registry.example.com/Web/API:1.0')).toMatch(/lowercase repository/);
  });
});

describe('label value grammar', () => {
  it('refuses any value longer than 63 characters', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]{64,100}$/), (v) => expect(isLabelValue(v)).toBe(false)));
  });
});

describe('duration grammar', () => {
  it('accepts Prometheus durations and refuses numbers without a unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'y'), (n, unit) => {
        expect(promDurationProblem(`${n}${unit}`)).toBeUndefined();
        expect(promDurationProblem(String(n))).toMatch(/must be a Prometheus duration/);
      }),
    );
  });
});

describe('fraction hint', () => {
  it('offers the percentage a fraction stands for', () => {
    expect(fractionHint(0.999)).toBe('; did you mean 99.9?');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), (permille) => {
        expect(fractionHint(permille / 1000)).toBe(`; did you mean ${permille / 10}?`);
      }),
    );
    expect(fractionHint(60)).toBe('');
  });
});
