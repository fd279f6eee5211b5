import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import { CallGraph, CallGraphService, checkCallGraph, dataStoresOf } from '../../../constructs/traffic/call-graph';
import { Dependency, worstBackoffMs } from '../../../constructs/traffic/dependency';

const svc = (name: string, dependencies: Dependency[] = [], extra: Partial<CallGraphService> = {}): CallGraphService => ({
  name,
  latencyThreshold: Duration.millis(200),
  replicasMax: 4,
  dependencies,
  ...extra,
});
const call = (service: string, extra: Partial<Dependency & { kind: 'service' }> = {}): Dependency => ({
  kind: 'service',
  service,
  ...extra,
});

function run(services: CallGraphService[], bound?: number): { graph?: CallGraph; lines: string[] } {
  const p = new Problems('prod');
  const graph = checkCallGraph(p, services, { amplificationBound: bound });
  try {
    p.throwIfAny();
    return { graph, lines: [] };
  } catch (e) {
    return { graph, lines: (e as Error).message.split('\n') };
  }
}

const edge = (g: CallGraph, caller: string, name: string) =>
  g.services.find((s) => s.name === caller)!.dependencies.find((d) => d.name === name)!;

describe('checkCallGraph: structure', () => {
  it('names an unknown dependency with the services that exist', () => {
    const { lines, graph } = run([svc('api', [call('nlp')]), svc('audit')]);
    expect(graph).toBeUndefined();
    expect(lines).toEqual([`prod: 'services.api.dependencies.nlp' ("nlp") is not a service of this environment; known: api, audit`]);
  });

  it('keeps the list of known services to one line in a large environment', () => {
    const many = Array.from({ length: 12 }, (_, i) => svc(`s${i}`));
    const { lines } = run([svc('api', [call('nlp')]), ...many]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.nlp' ("nlp") is not a service of this environment; known: api, s0, s1, s2, s3, s4, s5, s6 and 5 more`,
    ]);
  });

  it('refuses a service calling itself and a dependency stated twice', () => {
    const { lines } = run([svc('api', [call('api'), { kind: 'redis' }, { kind: 'redis' }])]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.api' ("api") is the service itself; a service calls itself without the mesh (in process)`,
      `prod: 'services.api.dependencies.redis' ("redis") is declared twice; state each dependency once`,
    ]);
  });

  it('reports a cycle once, with the whole loop, whichever service it is entered from', () => {
    const { lines, graph } = run([svc('web', [call('api')]), svc('api', [call('b')]), svc('b', [call('c')]), svc('c', [call('api')])]);
    expect(graph).toBeUndefined();
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.b' (api -> b -> c -> api) closes a call cycle: retries around a loop multiply without bound; remove one of these dependencies`,
    ]);
  });

  it('orders services so every caller comes before what it calls', () => {
    const { graph } = run([svc('audit'), svc('api', [call('audit')]), svc('web', [call('api')])]);
    expect(graph!.services.map((s) => s.name)).toEqual(['web', 'api', 'audit']);
  });
});

describe('checkCallGraph: defaults', () => {
  it("derives the per-try timeout from the callee's Slo and three attempts that fit the caller's 2 s timeout", () => {
    const { graph, lines } = run([svc('api', [call('audit')]), svc('audit')]);
    expect(lines).toEqual([]);
    const e = edge(graph!, 'api', 'audit');
    expect(e).toMatchObject({ perTryTimeoutMs: 500, attempts: 3, backoffMs: 25, statusCodes: [502, 503, 504], worstCaseMs: 1600 });
    expect(e.circuitBreaker).toEqual({ maxConnections: 128, maxPendingRequests: 192, maxRequestsPerConnection: 1000 });
    expect(e.outlierDetection).toEqual({
      consecutive5xxErrors: 5,
      consecutiveGatewayErrors: 3,
      intervalMs: 10_000,
      baseEjectionTimeMs: 30_000,
      maxEjectionPercent: 50,
    });
  });

  it('never retries a non-idempotent call by default, and retries a declared-idempotent one', () => {
    const { graph } = run([
      svc('api', [call('audit', { methods: ['POST'] }), call('nlp', { methods: ['POST'], idempotent: true })]),
      svc('audit'),
      svc('nlp'),
    ]);
    expect(edge(graph!, 'api', 'audit').attempts).toBe(1);
    expect(edge(graph!, 'api', 'nlp').attempts).toBe(3);
  });

  it('retries a dependency that sends some idempotent methods (the mesh retries only those)', () => {
    const { graph, lines } = run([svc('api', [call('audit', { methods: ['GET', 'POST'] })]), svc('audit')]);
    expect(lines).toEqual([]);
    expect(edge(graph!, 'api', 'audit')).toMatchObject({ attempts: 3, idempotent: false });
  });

  it("takes fewer attempts where three would not fit the caller's timeout", () => {
    const { graph, lines } = run([svc('api', [call('audit')], { timeout: Duration.millis(1100) }), svc('audit')]);
    expect(lines).toEqual([]);
    expect(edge(graph!, 'api', 'audit').attempts).toBe(2);
  });

  it('keeps a deep chain of defaults within the amplification bound', () => {
    const chain = ['a', 'b', 'c', 'd'].map((n, i, all) =>
      svc(n, i < all.length - 1 ? [call(all[i + 1])] : [], { timeout: Duration.seconds(30) }),
    );
    const { graph, lines } = run(chain);
    expect(lines).toEqual([]);
    expect(['b', 'c', 'd'].map((n) => graph!.amplification[n].factor)).toEqual([3, 9, 9]);
    expect(graph!.amplification.d.path).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives each data store a caller may use a default dependency, postgres both poolers', () => {
    const s = svc('api', [{ kind: 'postgres', access: 'rw', idempotent: true }], { uses: ['redis', 'postgres'] });
    const { graph } = run([s]);
    expect(graph!.services[0].dependencies.map((d) => [d.name, d.attempts, d.perTryTimeoutMs])).toEqual([
      ['postgres-rw', 3, 100],
      ['redis', 1, 100],
      ['postgres-ro', 3, 100],
    ]);
    expect(dataStoresOf(svc('nlp', [{ kind: 'redis' }]))).toEqual(['redis']);
  });

  it('settles one policy per callee: the smallest default attempts among its callers', () => {
    const { graph, lines } = run([
      svc('web', [call('audit')], { timeout: Duration.millis(1100) }),
      svc('api', [call('audit')]),
      svc('audit'),
    ]);
    expect(lines).toEqual([]);
    expect([edge(graph!, 'web', 'audit').attempts, edge(graph!, 'api', 'audit').attempts]).toEqual([2, 2]);
  });
});

describe('checkCallGraph: rules', () => {
  it('refuses retries of a non-idempotent method unless declared idempotent', () => {
    const { lines } = run([svc('api', [call('audit', { methods: ['POST', 'PATCH'], retries: { attempts: 2 } })]), svc('audit')]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.audit.retries.attempts' (2) retries POST, PATCH, which are not idempotent: a retried request may act twice; set attempts 1, or 'idempotent: true' if every call is safe to repeat (an idempotency key, an upsert)`,
    ]);
    expect(
      run([svc('api', [call('audit', { methods: ['POST'], idempotent: true, retries: { attempts: 2 } })]), svc('audit')]).lines,
    ).toEqual([]);
  });

  it("refuses a hop whose attempts x per-try timeout plus backoff passes the caller's timeout", () => {
    const { lines, graph } = run([
      svc('api', [call('audit', { retries: { attempts: 3 }, perTryTimeout: Duration.millis(700) })]),
      svc('audit'),
    ]);
    expect(graph).toBeDefined();
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.audit.perTryTimeout' (3 x 700 ms + 100 ms backoff = 2200 ms) exceeds api's timeout (2000 ms): lower attempts or perTryTimeout, or raise 'services.api.timeout'`,
    ]);
  });

  it('accepts a hop exactly at the budget', () => {
    // 3 x 633 + 100 = 1999, then 3 x 633.33.. is not whole: use 2 attempts x 975 + 25 = 1975 and 2 x 987.5.. likewise.
    expect(
      run([svc('api', [call('audit', { retries: { attempts: 2 }, perTryTimeout: Duration.millis(987) })]), svc('audit')]).lines,
    ).toEqual([]);
    expect(
      run([svc('api', [call('audit', { retries: { attempts: 2 }, perTryTimeout: Duration.millis(988) })]), svc('audit')]).lines,
    ).toHaveLength(1);
  });

  it('names the path where the product of attempts first passes the bound', () => {
    const long = { timeout: Duration.seconds(60) };
    const { lines } = run([
      svc('a', [call('b', { retries: { attempts: 4 } })], long),
      svc('b', [call('c', { retries: { attempts: 3 } })], long),
      svc('c', [call('d', { retries: { attempts: 2 } })], long),
      svc('d', [], long),
    ]);
    expect(lines).toEqual([
      `prod: 'services.b.dependencies.c.retries.attempts' (3) makes a -> b -> c try up to 12 times for one request (bound 10): a slow c would set off a retry storm; lower attempts along the path`,
    ]);
  });

  it('uses the bound it is given, and counts data-tier retries', () => {
    const s = [
      svc('api', [call('audit', { retries: { attempts: 2 } })]),
      svc('audit', [{ kind: 'postgres', access: 'ro', retries: { attempts: 3 } }]),
    ];
    expect(run(s).lines).toEqual([]);
    expect(run(s, 5).lines).toEqual([
      `prod: 'services.audit.dependencies.postgres-ro.retries.attempts' (3) makes api -> audit -> postgres-ro try up to 6 times for one request (bound 5): a slow store would set off a retry storm; lower attempts along the path`,
    ]);
  });

  it('refuses a max ejection percent of 100 and limits below 1', () => {
    const { lines } = run([
      svc('api', [call('audit', { outlierDetection: { maxEjectionPercent: 100 }, circuitBreaker: { maxConnections: 0 } })]),
      svc('audit'),
    ]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.audit.circuitBreaker.maxConnections' (0) must be a whole number >= 1`,
      `prod: 'services.api.dependencies.audit.outlierDetection.maxEjectionPercent' (100) must be a whole percentage from 1 to 99: at 100 every instance can be ejected and the dependency has none left`,
    ]);
  });

  it('refuses attempts outside 1-10 and status codes that are not 5xx', () => {
    const { lines } = run([svc('api', [call('audit', { retries: { attempts: 0, statusCodes: [404] } })]), svc('audit')]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.audit.retries.attempts' (0) must be a whole number from 1 (no retry) to 10`,
      `prod: 'services.api.dependencies.audit.retries.statusCodes' (404) must be a 5xx status code`,
    ]);
  });

  it('refuses two callers stating different policies for one callee', () => {
    const { lines } = run([
      svc('web', [call('audit', { perTryTimeout: Duration.millis(300) })]),
      svc('api', [call('audit')]),
      svc('audit'),
    ]);
    expect(lines).toEqual([
      `prod: 'services.api.dependencies.audit.perTryTimeout' (500) differs from web's (300): the mesh applies one policy to every caller of audit; state the same value`,
    ]);
  });
});

/**
 * An independent model of the worst case: every leaf hangs, every try of every hop runs to its per-try timeout (or
 * until the callee gives up at its own timeout), and every backoff waits its longest. The time a caller waits must
 * stay within its own timeout for any graph the checks accept.
 */
function waitMs(graph: CallGraph, name: string): number {
  const s = graph.services.find((x) => x.name === name)!;
  let worst = 0;
  for (const d of s.dependencies) {
    const callee = graph.services.find((x) => x.name === d.name);
    // A callee answers no later than its own timeout (it gives up on its own slow calls); a store or a leaf hangs.
    const answers = callee && callee.dependencies.length > 0 ? Math.min(callee.timeoutMs, waitMs(graph, callee.name)) : Infinity;
    const tryMs = Math.min(d.perTryTimeoutMs, answers);
    worst = Math.max(worst, d.attempts * tryMs + worstBackoffMs(d.attempts, d.backoffMs));
  }
  return worst;
}

describe('checkCallGraph: property', () => {
  const names = ['s0', 's1', 's2', 's3', 's4', 's5'];
  // A DAG: service i may call only services after it, so every generated graph is acyclic.
  const graphArb = fc
    .tuple(
      fc.array(fc.integer({ min: 20, max: 2000 }), { minLength: names.length, maxLength: names.length }),
      fc.array(fc.option(fc.integer({ min: 100, max: 20_000 })), { minLength: names.length, maxLength: names.length }),
      fc.array(
        fc.record({
          from: fc.integer({ min: 0, max: names.length - 2 }),
          skip: fc.integer({ min: 1, max: names.length - 1 }),
          attempts: fc.option(fc.integer({ min: 1, max: 5 })),
          perTry: fc.option(fc.integer({ min: 1, max: 5000 })),
          backoff: fc.option(fc.integer({ min: 1, max: 200 })),
          idempotent: fc.boolean(),
          store: fc.constantFrom(undefined, 'redis', 'postgres-ro'),
        }),
        { maxLength: 12 },
      ),
    )
    .map(([latencies, timeouts, edges]) => {
      const deps: Dependency[][] = names.map(() => []);
      for (const e of edges) {
        const to = e.from + e.skip;
        const policy = {
          idempotent: e.idempotent,
          perTryTimeout: e.perTry === null ? undefined : Duration.millis(e.perTry),
          retries: { attempts: e.attempts ?? undefined, backoff: e.backoff === null ? undefined : Duration.millis(e.backoff) },
        };
        const dep: Dependency | undefined =
          e.store === 'redis'
            ? { kind: 'redis', ...policy }
            : e.store === 'postgres-ro'
              ? { kind: 'postgres', access: 'ro', ...policy }
              : to < names.length
                ? { kind: 'service', service: names[to], ...policy }
                : undefined;
        const name = dep === undefined ? '' : dep.kind === 'service' ? dep.service : dep.kind === 'redis' ? 'redis' : 'postgres-ro';
        const taken = deps[e.from].some((d) => (d.kind === 'service' ? d.service : d.kind === 'redis' ? 'redis' : 'postgres-ro') === name);
        if (dep && !taken) deps[e.from].push(dep);
      }
      return names.map((n, i) =>
        svc(n, deps[i], {
          latencyThreshold: Duration.millis(latencies[i]),
          timeout: timeouts[i] === null ? undefined : Duration.millis(timeouts[i]!),
        }),
      );
    });

  it("fits every accepted graph's worst-case path into each caller's timeout and keeps amplification within the bound", () => {
    let accepted = 0;
    fc.assert(
      fc.property(graphArb, (services) => {
        const { graph, lines } = run(services);
        if (lines.length > 0) return;
        accepted++;
        for (const s of graph!.services) {
          expect(waitMs(graph!, s.name)).toBeLessThanOrEqual(s.timeoutMs);
          for (const d of s.dependencies) expect(graph!.amplification[s.name].factor * d.attempts).toBeLessThanOrEqual(10);
        }
      }),
      { numRuns: 300 },
    );
    // The property says something only if the generator produces accepted graphs.
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts every graph left to its defaults', () => {
    fc.assert(
      fc.property(graphArb, (services) => {
        const defaults = services.map((s) => ({
          ...s,
          timeout: undefined,
          dependencies: s.dependencies!.map((d) => ({ ...d, perTryTimeout: undefined, retries: undefined })),
        }));
        expect(run(defaults).lines).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
