import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import fc from 'fast-check';
import { ConfigError, formatValue } from '../../constructs/core/errors';
import { Environment, ServiceSpec } from '../../stacks/environment';
import { validateEnvironment } from '../../stacks/environment-rules';
import { RULE_IDS } from '../../stacks/environment-schema';
import { environmentNameProblems } from '../../stacks/load-environments';
import { prod } from '../../stacks/prod';

/** The report lines of validating `env`, or [] when it is accepted. */
function problemsOf(env: unknown): string[] {
  try {
    validateEnvironment(env as Environment);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
}

/** Asserts a clean rejection: one line naming the input and the value as written, and no stack trace. */
function expectRejected(env: unknown, input: string, value: unknown, fix?: RegExp): void {
  const lines = problemsOf(env);
  const prefix = `prod: '${input}' (${formatValue(value)}) `;
  const line = lines.find((l) => l.startsWith(prefix));
  expect({ lines, found: line !== undefined }).toEqual({ lines, found: true });
  if (fix) expect(line!.slice(prefix.length)).toMatch(fix);
  expect(lines.join('\n')).not.toMatch(/\n\s+at /);
}

const gateway = (change: Partial<Record<keyof ServiceSpec, unknown>>): Environment => ({
  ...prod,
  services: prod.services.map((s) => (s.name === 'api-gateway' ? ({ ...s, ...change } as ServiceSpec) : s)),
});
const anyValue = (v: unknown) => v as never;

// Each run validates a whole Environment (about 1.5 ms): 50 generated mistakes per class, from the run's one seed.
const defaults = fc.readConfigureGlobal();
beforeAll(() => fc.configureGlobal({ ...defaults, numRuns: 50 }));
afterAll(() => fc.configureGlobal(defaults));

describe('the Environment boundary', () => {
  it('accepts the committed environments', () => {
    expect(problemsOf(prod)).toEqual([]);
  });

  describe('numbers: a unit, a range and integer-ness', () => {
    it('rejects replica bounds that are not whole numbers >= 1, NaN and Infinity included', () => {
      const bad = fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((v) => !Number.isInteger(v) || v < 1),
        fc.constantFrom(NaN, Infinity, -Infinity, 0, -1),
      );
      fc.assert(
        fc.property(bad, (min) => {
          expectRejected(gateway({ replicas: { min, max: 10 } }), 'services.api-gateway.replicas.min', min);
        }),
      );
    });

    it('rejects counts beyond what the platform plans for, before node-pool planning places every replica', () => {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ min: 1001, max: 2 ** 31 }), fc.constant(1e9)), (max) => {
          expectRejected(gateway({ replicas: { min: 2, max } }), 'services.api-gateway.replicas.max', max, /^must be <= 1000$/);
        }),
      );
    });

    it('rejects a number written as text, saying so', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 90 }), (n) => {
          const env = { ...prod, cloud: { ...prod.cloud, spotPercent: anyValue(String(n)) } };
          expectRejected(env, 'cloud.spotPercent', String(n), /must be a number, not text/);
        }),
      );
    });

    it('rejects an availability written as a fraction, offering the percentage', () => {
      fc.assert(
        fc.property(fc.integer({ min: 500, max: 999 }), (permille) => {
          const availabilityPercent = permille / 1000;
          const env = gateway({ slo: { ...prod.services[0].slo, availabilityPercent } });
          expectRejected(env, 'services.api-gateway.slo.availabilityPercent', availabilityPercent, /did you mean \d+(\.\d+)?\?$/);
        }),
      );
    });

    it('rejects zero or negative CPU and memory requests', () => {
      fc.assert(
        fc.property(fc.integer({ min: -4000, max: 0 }), (m) => {
          const cpu = Cpu.millis(m);
          expectRejected(
            gateway({ resources: { cpu, memory: Size.mebibytes(512) } }),
            'services.api-gateway.resources.cpu',
            cpu,
            /above zero/,
          );
        }),
      );
      const memory = Size.mebibytes(0);
      expectRejected(
        gateway({ resources: { cpu: Cpu.millis(500), memory } }),
        'services.api-gateway.resources.memory',
        memory,
        /above zero/,
      );
    });

    it('rejects storage that cannot be written in whole GiB', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 50_000 }).filter((m) => m % 1024 !== 0),
          (mib) => {
            const storage = Size.mebibytes(mib);
            const env = { ...prod, dataTier: { ...prod.dataTier, redis: { ...prod.dataTier.redis, storage } } };
            expectRejected(env, 'dataTier.redis.storage', storage, /whole number of gibibytes/);
          },
        ),
      );
    });
  });

  describe('strings: a grammar each', () => {
    it('rejects impossible CIDRs', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.integer({ min: 256, max: 999 }).map((o) => `${o}.0.0.0/16`),
            fc.integer({ min: 33, max: 99 }).map((p) => `10.0.0.0/${p}`),
          ),
          (vpcCidr) => {
            expectRejected({ ...prod, cloud: { ...prod.cloud, vpcCidr } }, 'cloud.vpcCidr', vpcCidr);
          },
        ),
      );
      const url = 'https://vpc.example.com/16';
      expectRejected({ ...prod, apiServer: { ...prod.apiServer, cidrs: [url] } }, 'apiServer.cidrs[0]', url, /^is a URL/);
    });

    it('rejects a Prometheus URL without a scheme', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{1,12}\.[a-z]{2,10}\.svc:[1-9][0-9]{1,3}$/), (prometheusUrl) => {
          expectRejected(
            { ...prod, monitoring: { ...prod.monitoring, prometheusUrl } },
            'monitoring.prometheusUrl',
            prometheusUrl,
            /scheme/,
          );
        }),
      );
    });

    it('rejects a cron schedule with an hour past 23', () => {
      fc.assert(
        fc.property(fc.integer({ min: 24, max: 99 }), (hour) => {
          const schedule = `0 ${hour} * * 0`;
          expectRejected({ ...prod, loadTests: { schedule } }, 'loadTests.schedule', schedule, new RegExp(`hour ${hour} is outside 0-23`));
        }),
      );
    });

    it('rejects a time zone that does not exist', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[A-Z][a-z]{3,8}\/[A-Z][a-z]{3,8}[0-9]$/), (timeZone) => {
          const businessHours = { timeZone, start: '08:00', end: '20:00', minReplicas: 6 };
          expectRejected(gateway({ businessHours }), 'services.api-gateway.businessHours.timeZone', timeZone, /IANA time zone/);
        }),
      );
    });

    it('rejects a registry given with a scheme', () => {
      fc.assert(
        fc.property(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z]{3,10}\.example\.com$/), (scheme, host) => {
          const imageRegistry = `${scheme}://${host}`;
          expectRejected({ ...prod, imageRegistry }, 'imageRegistry', imageRegistry, /must not have a scheme/);
        }),
      );
    });

    it('rejects a label value longer than 63 characters', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z0-9]{64,90}$/), (team) => {
          expectRejected({ ...prod, costAllocation: { ...prod.costAllocation, team } }, 'costAllocation.team', team, /at most 63/);
        }),
      );
    });

    it('rejects durations that are zero or not whole seconds where seconds are written', () => {
      const latencyThreshold = Duration.millis(0);
      expectRejected(
        gateway({ slo: { ...prod.services[0].slo, latencyThreshold } }),
        'services.api-gateway.slo.latencyThreshold',
        latencyThreshold,
        /above zero/,
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 2001, max: 600_000 }).filter((ms) => ms % 1000 !== 0),
          (ms) => {
            const startupTimeout = Duration.millis(ms);
            expectRejected(
              gateway({ probes: { startupTimeout } }),
              'services.api-gateway.probes.startupTimeout',
              startupTimeout,
              /whole number of seconds/,
            );
          },
        ),
      );
    });
  });

  describe('shapes: what TypeScript would refuse, refused at run time', () => {
    it('rejects an unknown field anywhere, naming the known ones', () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/).filter((k) => !['redis', 'postgres'].includes(k)),
          (key) => {
            const env = { ...prod, dataTier: { ...prod.dataTier, [key]: { size: 3 } } };
            expectRejected(env, `dataTier.${key}`, { size: 3 }, /is not a field of 'dataTier'; known: redis, postgres/);
          },
        ),
      );
    });

    it('rejects map keys that break their grammar, showing the key', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z]{1,8}[- ][a-z]{1,8}$/), (name) => {
          expectRejected(
            gateway({ env: { [name]: 'x' } }),
            `services.api-gateway.env.${name}`,
            name,
            /^is not a valid key: must be an environment variable name/,
          );
        }),
      );
    });

    it('names the known fields when a top-level field is misspelt', () => {
      expectRejected({ ...prod, zone: ['a'] }, 'zone', ['a'], /^is not a field; known: name, zones, cloud,/);
    });

    it('rejects a misspelt choice, listing the right ones', () => {
      expectRejected(gateway({ uses: ['postgress'] }), 'services.api-gateway.uses[0]', 'postgress', /must be one of "redis", "postgres"/);
    });

    it('reports every problem of a value read from JSON, without crashing on the missing classes', () => {
      const lines = problemsOf(JSON.parse(JSON.stringify(prod)));
      expect(lines).toContainEqual(expect.stringMatching(/^prod: 'dataTier\.redis\.memory' \(\{"amount":4,.*\) must be made with Size\./));
      expect(lines).toContainEqual(
        expect.stringMatching(/^prod: 'services\.api-gateway\.resources\.cpu' \(\{"amount":"500m"\}\) must be made with Cpu\./),
      );
      expect(lines.length).toBeGreaterThan(10);
    });
  });

  describe('dependencies: shape here, the call graph in validateEnvironment', () => {
    it('rejects a misspelt dependency kind and an unknown policy field', () => {
      expectRejected(
        gateway({ dependencies: [{ kind: 'redis-cluster' }] }),
        'services.api-gateway.dependencies[0].kind',
        'redis-cluster',
        /must be one of "service", "redis", "postgres"/,
      );
      expectRejected(
        gateway({ dependencies: [{ kind: 'redis', retry: { attempts: 2 } }] }),
        'services.api-gateway.dependencies[0].retry',
        { attempts: 2 },
        /is not a field of 'services.api-gateway.dependencies\[0\]'; known: kind, perTryTimeout, retries,/,
      );
    });

    it('reports call-graph problems with the rest, naming service, dependency, input and value', () => {
      const lines = problemsOf(
        gateway({
          dependencies: [{ kind: 'service', service: 'audit-service', methods: ['POST'], retries: { attempts: 3 } }],
          timeout: anyValue(undefined),
        }),
      );
      expect(lines).toEqual([
        `prod: 'services.api-gateway.dependencies.audit-service.retries.attempts' (3) retries POST, which are not idempotent: a retried request may act twice; set attempts 1, or 'idempotent: true' if every call is safe to repeat (an idempotency key, an upsert)`,
      ]);
      expectRejected(
        gateway({ dependencies: [{ kind: 'service', service: 'audit', methods: ['GET'] }] }),
        'services.api-gateway.dependencies.audit',
        'audit',
        /is not a service of this environment; known: api-gateway, nlp-service, audit-service, web$/,
      );
    });
  });

  describe('cross-references: what one field names must exist', () => {
    it('rejects an exemption for a rule that does not exist', () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[a-z]{3,10}(-[a-z]{3,10}){0,2}$/).filter((r) => !RULE_IDS.includes(r)),
          (rule) => {
            const env = gateway({ policyExemption: { rules: [rule], reason: 'because' } });
            expectRejected(env, 'services.api-gateway.policyExemption.rules[0]', rule, /is not a policy rule; known: /);
          },
        ),
      );
    });

    it("rejects a zone outside the environment's AWS region", () => {
      fc.assert(
        fc.property(fc.constantFrom('us-east-1', 'eu-central-1', 'ap-south-2'), fc.constantFrom('a', 'b', 'c'), (region, letter) => {
          const zone = `${region}${letter}`;
          expectRejected({ ...prod, zones: [zone, ...prod.zones.slice(1)] }, 'zones[0]', zone, /^is not a zone of region 'eu-west-1'/);
        }),
      );
    });

    it('rejects load tests when the service they target is missing', () => {
      const env = { ...prod, services: prod.services.filter((s) => s.name !== 'api-gateway') };
      expectRejected(env, 'loadTests.target', 'api-gateway', /^must name one of the services \(nlp-service, audit-service, web\)/);
    });

    it('accepts load tests of any service the environment has, even without an api-gateway', () => {
      // The rule used to name 'api-gateway' itself: an environment load-testing another service was refused.
      const env = {
        ...prod,
        services: prod.services.filter((s) => s.name !== 'api-gateway'),
        loadTests: { ...prod.loadTests!, target: 'web' },
      };
      expect(() => validateEnvironment(env)).not.toThrow();
    });

    it('rejects two environments with one name, which would write the same dist/ folder', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/), (key) => {
          fc.pre(key !== 'prod');
          expect(environmentNameProblems({ prod, [key]: { ...prod } })).toEqual(
            expect.arrayContaining([
              `${key}: 'name' ("prod") is also the name of environment 'prod'; both would write dist/prod/, so names must be unique`,
            ]),
          );
        }),
      );
      expect(environmentNameProblems({ prod })).toEqual([]);
    });
  });
});
