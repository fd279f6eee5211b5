import { Duration } from 'cdk8s';
import { Problems, shown } from '../core/errors';
import {
  CircuitBreaker,
  Dependency,
  HttpMethod,
  IDEMPOTENT_METHODS,
  OutlierDetection,
  TRAFFIC_DEFAULTS,
  dependencyName,
  isIdempotent,
  isRetriable,
  maxPendingDefault,
  methodsOf,
  millis,
  perTryTimeoutDefault,
  serviceTimeoutDefault,
  worstBackoffMs,
  worstCallMs,
} from './dependency';

/**
 * The call graph of an environment: every service with what it calls, resolved once (defaults derived from the
 * Slos) and checked along every path at synth time: unknown and cyclic dependencies, retries of non-idempotent
 * calls, the timeout budget of each hop and the worst-case retry amplification. Pure: the mesh and gateway constructs
 * render the resolved graph; nothing here builds a chart.
 */

/** One service as the call graph sees it. */
export interface CallGraphService {
  readonly name: string;
  /** Its latency objective (the Slo's `latencyThreshold`): per-try timeouts to it derive from it. */
  readonly latencyThreshold: Duration;
  /**
   * How long a request to the service may take in all; the budget of each of its own calls.
   * @default - 10 x its latency objective
   */
  readonly timeout?: Duration;
  /** Its maximum replicas: connection limits to it derive from them. */
  readonly replicasMax: number;
  /** @default - none */
  readonly dependencies?: readonly Dependency[];
  /** Data stores it connects to; each gets a dependency with default policy unless `dependencies` states one. @default - none */
  readonly uses?: readonly ('redis' | 'postgres')[];
}

export interface CallGraphOptions {
  /** Worst-case product of attempts along any path. @default 10 */
  readonly amplificationBound?: number;
}

/** A dependency with every default applied: what the mesh renders and the checks read. */
export interface ResolvedDependency {
  readonly caller: string;
  /** The service name, `redis`, `postgres-rw` or `postgres-ro`. */
  readonly name: string;
  readonly kind: Dependency['kind'];
  /** `http` or `grpc` for services, `tcp` for the data tier. */
  readonly protocol: 'http' | 'grpc' | 'tcp';
  readonly methods: readonly HttpMethod[];
  readonly idempotent: boolean;
  readonly perTryTimeoutMs: number;
  /** Tries in all for this caller's calls (1: no retry). */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly statusCodes: readonly number[];
  /** attempts x perTryTimeout + worst backoff: the route timeout and what must fit the caller's timeout. */
  readonly worstCaseMs: number;
  readonly circuitBreaker: Required<CircuitBreaker>;
  readonly outlierDetection: {
    readonly consecutive5xxErrors: number;
    readonly consecutiveGatewayErrors: number;
    readonly intervalMs: number;
    readonly baseEjectionTimeMs: number;
    readonly maxEjectionPercent: number;
  };
}

export interface ResolvedService {
  readonly name: string;
  readonly latencyMs: number;
  readonly timeoutMs: number;
  readonly replicasMax: number;
  readonly dependencies: readonly ResolvedDependency[];
}

export interface CallGraph {
  /** Services in call order: every caller before what it calls. */
  readonly services: readonly ResolvedService[];
  readonly amplificationBound: number;
  /** The largest product of attempts along any path into each service, and that path. */
  readonly amplification: Readonly<Record<string, { readonly factor: number; readonly path: readonly string[] }>>;
}

const input = (caller: string, dep: string, field?: string) => `services.${caller}.dependencies.${dep}${field ? `.${field}` : ''}`;

/**
 * Resolves and checks the call graph. Every problem goes to `problems`, one line each naming the service, the
 * dependency, the input and the value; the graph is returned when the structure (names, no cycles) allows
 * resolving it, even with budget problems, so all of them are reported at once.
 */
export function checkCallGraph(
  problems: Problems,
  services: readonly CallGraphService[],
  options: CallGraphOptions = {},
): CallGraph | undefined {
  const bound = options.amplificationBound ?? TRAFFIC_DEFAULTS.amplificationBound;
  const byName = new Map(services.map((s) => [s.name, s]));
  const deps = new Map(services.map((s) => [s.name, dependenciesOf(s)]));
  const before = problems.count;
  checkNames(problems, services, deps, byName);
  if (problems.count > before) return undefined;
  const order = callOrder(problems, services, deps);
  if (order === undefined) return undefined;

  const timeoutMs = new Map(
    services.map((s) => [s.name, s.timeout ? millis(s.timeout) : serviceTimeoutDefault(millis(s.latencyThreshold))]),
  );
  const latencyMs = new Map(services.map((s) => [s.name, millis(s.latencyThreshold)]));
  const amplification: Record<string, { factor: number; path: string[] }> = {};
  const resolved = new Map<string, ResolvedDependency[]>();
  // Incoming service edges are settled when their callee is reached (every caller done): one policy per callee.
  const incoming = new Map<string, { caller: string; dep: Dependency & { kind: 'service' }; candidate: number }[]>();

  for (const name of order) {
    const self = byName.get(name)!;
    const ins = incoming.get(name) ?? [];
    settleIncoming(problems, self, ins, resolved, { timeoutMs, latencyMs });
    amplification[name] = intoService(name, ins, resolved, amplification);
    const ampIn = amplification[name].factor;
    const out: ResolvedDependency[] = [];
    for (const d of deps.get(name)!) {
      const callee = d.kind === 'service' ? { latencyMs: latencyMs.get(d.service)!, timeoutMs: timeoutMs.get(d.service)! } : undefined;
      const caller = { latencyMs: latencyMs.get(name)!, timeoutMs: timeoutMs.get(name)! };
      const perTry = d.perTryTimeout ? millis(d.perTryTimeout) : perTryTimeoutDefault(d, caller, callee);
      const backoff = d.retries?.backoff ? millis(d.retries.backoff) : TRAFFIC_DEFAULTS.backoffMs;
      const candidate = d.retries?.attempts ?? defaultAttempts(d, perTry, backoff, timeoutMs.get(name)!, Math.floor(bound / ampIn));
      if (d.kind === 'service') {
        const list = incoming.get(d.service) ?? [];
        list.push({ caller: name, dep: d, candidate });
        incoming.set(d.service, list);
      } else {
        out.push(resolveDependency(name, d, perTry, candidate, backoff, latencyMs.get(name)!, 1));
      }
    }
    resolved.set(name, out);
  }

  const graph: CallGraph = {
    services: order.map((name) => ({
      name,
      latencyMs: latencyMs.get(name)!,
      timeoutMs: timeoutMs.get(name)!,
      replicasMax: byName.get(name)!.replicasMax,
      dependencies: sortByDeclaration(resolved.get(name)!, deps.get(name)!),
    })),
    amplificationBound: bound,
    amplification,
  };
  checkResolved(problems, graph, deps);
  return graph;
}

/** The service's declared dependencies plus a default one for each data store it uses without declaring. */
export function dependenciesOf(s: Pick<CallGraphService, 'dependencies' | 'uses'>): Dependency[] {
  const declared = [...(s.dependencies ?? [])];
  const has = (name: string) => declared.some((d) => dependencyName(d) === name);
  for (const store of s.uses ?? []) {
    if (store === 'redis' && !has('redis')) declared.push({ kind: 'redis' });
    if (store === 'postgres') {
      for (const access of ['rw', 'ro'] as const) if (!has(`postgres-${access}`)) declared.push({ kind: 'postgres', access });
    }
  }
  return declared;
}

/** The data stores a service connects to: those it uses and those its dependencies name. */
export function dataStoresOf(s: Pick<CallGraphService, 'dependencies' | 'uses'>): ('redis' | 'postgres')[] {
  const kinds = new Set(dependenciesOf(s).map((d) => d.kind));
  return (['redis', 'postgres'] as const).filter((k) => kinds.has(k));
}

function checkNames(
  problems: Problems,
  services: readonly CallGraphService[],
  deps: ReadonlyMap<string, readonly Dependency[]>,
  byName: ReadonlyMap<string, CallGraphService>,
): void {
  for (const s of services) {
    const seen = new Set<string>();
    for (const d of deps.get(s.name)!) {
      const name = dependencyName(d);
      problems.check(!seen.has(name), input(s.name, name), name, 'is declared twice; state each dependency once');
      seen.add(name);
      if (d.kind !== 'service') continue;
      problems.check(
        d.service !== s.name,
        input(s.name, name),
        d.service,
        'is the service itself; a service calls itself without the mesh (in process)',
      );
      problems.check(
        d.service === s.name || byName.has(d.service),
        input(s.name, name),
        d.service,
        `is not a service of this environment; known: ${known(services.map((x) => x.name))}`,
      );
    }
  }
}

/** A list of names short enough for one line. */
function known(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

/**
 * Services ordered so that every caller comes before its callees (Kahn's algorithm, declaration order among
 * equals); undefined after reporting each cycle once (its first edge, with the whole loop).
 */
function callOrder(
  problems: Problems,
  services: readonly CallGraphService[],
  deps: ReadonlyMap<string, readonly Dependency[]>,
): string[] | undefined {
  const callees = (n: string) => deps.get(n)!.flatMap((d) => (d.kind === 'service' ? [d.service] : []));
  const indegree = new Map(services.map((s) => [s.name, 0]));
  for (const s of services) for (const c of callees(s.name)) indegree.set(c, indegree.get(c)! + 1);
  const ready = services.filter((s) => indegree.get(s.name) === 0).map((s) => s.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const c of callees(n)) {
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) ready.push(c);
    }
  }
  if (order.length === services.length) return order;
  const reported = new Set<string>();
  for (const s of services) {
    if (order.includes(s.name) || reported.has(s.name)) continue;
    const loop = findCycle(s.name, callees);
    if (!loop || loop.some((n) => reported.has(n))) continue;
    loop.forEach((n) => reported.add(n));
    problems.add(
      input(loop[0], loop[1]),
      shown([...loop, loop[0]].join(' -> ')),
      'closes a call cycle: retries around a loop multiply without bound; remove one of these dependencies',
    );
  }
  return undefined;
}

function findCycle(start: string, callees: (n: string) => string[]): string[] | undefined {
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const at = path.indexOf(n);
    if (at >= 0) return path.slice(at);
    path.push(n);
    for (const c of callees(n)) {
      const found = visit(c);
      if (found) return found;
    }
    path.pop();
    return undefined;
  };
  const loop = visit(start);
  if (!loop) return undefined;
  // Start the loop at its alphabetically first service, so the same cycle reads the same whatever the entry.
  const first = loop.indexOf([...loop].sort()[0]);
  return [...loop.slice(first), ...loop.slice(0, first)];
}

/**
 * Default attempts: 1 for a dependency none of whose calls may be retried; else the most tries up to 3 whose worst case fits the
 * caller's timeout and keeps the product of attempts along the path within the bound (the remaining factor).
 */
function defaultAttempts(d: Dependency, perTryMs: number, backoffMs: number, callerTimeoutMs: number, remaining: number): number {
  if (!isRetriable(d)) return 1;
  let n = Math.max(1, Math.min(TRAFFIC_DEFAULTS.attempts, remaining));
  while (n > 1 && worstCallMs(n, perTryMs, backoffMs) > callerTimeoutMs) n--;
  return n;
}

/**
 * The mesh holds one policy per callee: a defaulted per-try timeout or attempts become the smallest default among
 * its callers (the attempts of those whose calls may be retried); explicit values stay, and differences the mesh
 * cannot express are reported.
 */
function settleIncoming(
  problems: Problems,
  callee: CallGraphService,
  ins: readonly { caller: string; dep: Dependency & { kind: 'service' }; candidate: number }[],
  resolved: Map<string, ResolvedDependency[]>,
  ctx: { timeoutMs: ReadonlyMap<string, number>; latencyMs: ReadonlyMap<string, number> },
): void {
  const retriable = ins.filter((i) => isRetriable(i.dep) && i.dep.retries?.attempts === undefined);
  const shared = retriable.length > 0 ? Math.min(...retriable.map((i) => i.candidate)) : 1;
  const calleeInfo = { latencyMs: ctx.latencyMs.get(callee.name)!, timeoutMs: ctx.timeoutMs.get(callee.name)! };
  const perTryOf = (i: (typeof ins)[number]) =>
    perTryTimeoutDefault(i.dep, { latencyMs: ctx.latencyMs.get(i.caller)!, timeoutMs: ctx.timeoutMs.get(i.caller)! }, calleeInfo);
  const defaulted = ins.filter((i) => i.dep.perTryTimeout === undefined);
  const sharedPerTry = defaulted.length > 0 ? Math.min(...defaulted.map(perTryOf)) : 0;
  for (const i of ins) {
    const d = i.dep;
    const attempts = d.retries?.attempts ?? (isRetriable(d) ? shared : 1);
    const perTry = d.perTryTimeout ? millis(d.perTryTimeout) : sharedPerTry;
    const backoff = d.retries?.backoff ? millis(d.retries.backoff) : TRAFFIC_DEFAULTS.backoffMs;
    resolved.get(i.caller)!.push(resolveDependency(i.caller, d, perTry, attempts, backoff, calleeInfo.latencyMs, callee.replicasMax));
  }
  const edges = ins.map((i) => resolved.get(i.caller)!.find((r) => r.name === callee.name)!);
  const first = edges[0];
  for (const e of edges.slice(1)) {
    // The first difference only: later fields (the pending limit) may derive from it. Attempts differ only between
    // retried calls: a caller whose calls are not retried takes the route without retries.
    const f = MESH_FIELDS.find((x) => {
      const [a, b] = [x.of(e), x.of(first)];
      return !(x.name === 'retries.attempts' && (a === undefined || b === undefined)) && JSON.stringify(a) !== JSON.stringify(b);
    });
    if (f) {
      problems.add(
        input(e.caller, e.name, f.name),
        shown(JSON.stringify(f.of(e))),
        `differs from ${first.caller}'s (${JSON.stringify(f.of(first))}): the mesh applies one policy to every caller of ${e.name}; state the same value`,
      );
    }
  }
}

/** Fields the mesh renders once per callee (DestinationRule and route), so every caller must agree on them. */
const MESH_FIELDS: readonly { name: string; of: (r: ResolvedDependency) => unknown }[] = [
  { name: 'perTryTimeout', of: (r) => r.perTryTimeoutMs },
  { name: 'retries.attempts', of: (r) => (r.attempts > 1 ? r.attempts : undefined) },
  { name: 'retries.backoff', of: (r) => r.backoffMs },
  { name: 'retries.statusCodes', of: (r) => r.statusCodes },
  { name: 'circuitBreaker', of: (r) => r.circuitBreaker },
  { name: 'outlierDetection', of: (r) => r.outlierDetection },
];

function resolveDependency(
  caller: string,
  d: Dependency,
  perTryMs: number,
  attempts: number,
  backoffMs: number,
  calleeLatencyMs: number,
  calleeReplicas: number,
): ResolvedDependency {
  const maxConnections = d.circuitBreaker?.maxConnections ?? calleeReplicas * TRAFFIC_DEFAULTS.connectionsPerCalleePod;
  const o: OutlierDetection = d.outlierDetection ?? {};
  return {
    caller,
    name: dependencyName(d),
    kind: d.kind,
    protocol: d.kind === 'service' ? (d.protocol ?? 'http') : 'tcp',
    methods: d.kind === 'service' ? methodsOf(d) : [],
    idempotent: isIdempotent(d),
    perTryTimeoutMs: perTryMs,
    attempts,
    backoffMs,
    statusCodes: d.retries?.statusCodes ?? TRAFFIC_DEFAULTS.statusCodes,
    worstCaseMs: worstCallMs(attempts, perTryMs, backoffMs),
    circuitBreaker: {
      maxConnections,
      maxPendingRequests: d.circuitBreaker?.maxPendingRequests ?? maxPendingDefault(maxConnections, perTryMs, calleeLatencyMs),
      maxRequestsPerConnection: d.circuitBreaker?.maxRequestsPerConnection ?? TRAFFIC_DEFAULTS.maxRequestsPerConnection,
    },
    outlierDetection: {
      consecutive5xxErrors: o.consecutive5xxErrors ?? TRAFFIC_DEFAULTS.consecutive5xxErrors,
      consecutiveGatewayErrors: o.consecutiveGatewayErrors ?? TRAFFIC_DEFAULTS.consecutiveGatewayErrors,
      intervalMs: o.interval ? millis(o.interval) : TRAFFIC_DEFAULTS.intervalMs,
      baseEjectionTimeMs: o.baseEjectionTime ? millis(o.baseEjectionTime) : TRAFFIC_DEFAULTS.baseEjectionTimeMs,
      maxEjectionPercent: o.maxEjectionPercent ?? TRAFFIC_DEFAULTS.maxEjectionPercent,
    },
  };
}

/** The largest product of attempts along any path into `name`, and that path (roots: factor 1). */
function intoService(
  name: string,
  ins: readonly { caller: string }[],
  resolved: ReadonlyMap<string, readonly ResolvedDependency[]>,
  amplification: Readonly<Record<string, { factor: number; path: string[] }>>,
): { factor: number; path: string[] } {
  let best = { factor: 1, path: [name] };
  for (const i of ins) {
    const edge = resolved.get(i.caller)!.find((r) => r.name === name)!;
    const from = amplification[i.caller];
    const factor = from.factor * edge.attempts;
    if (factor > best.factor) best = { factor, path: [...from.path, name] };
  }
  return best;
}

function sortByDeclaration(resolved: readonly ResolvedDependency[], declared: readonly Dependency[]): ResolvedDependency[] {
  const rank = (r: ResolvedDependency) => declared.findIndex((d) => dependencyName(d) === r.name);
  return [...resolved].sort((a, b) => rank(a) - rank(b));
}

/** Checks on the resolved graph: idempotency, ranges, each hop's budget, amplification along every path. */
function checkResolved(problems: Problems, graph: CallGraph, declared: ReadonlyMap<string, readonly Dependency[]>): void {
  for (const s of graph.services) {
    for (const r of s.dependencies) {
      const d = declared.get(s.name)!.find((x) => dependencyName(x) === r.name)!;
      checkRanges(problems, s.name, r);
      if (r.attempts > 1 && !isRetriable(d)) {
        const unsafe = r.kind === 'service' ? r.methods.filter((m) => !IDEMPOTENT_METHODS.includes(m)).join(', ') : 'writes';
        problems.add(
          input(s.name, r.name, 'retries.attempts'),
          r.attempts,
          `retries ${unsafe}, which are not idempotent: a retried request may act twice; set attempts 1, or 'idempotent: true' if every call is safe to repeat (an idempotency key, an upsert)`,
        );
      }
      if (r.worstCaseMs > s.timeoutMs) {
        const backoff = worstBackoffMs(r.attempts, r.backoffMs);
        problems.add(
          input(s.name, r.name, d.perTryTimeout ? 'perTryTimeout' : 'retries.attempts'),
          shown(`${r.attempts} x ${r.perTryTimeoutMs} ms + ${backoff} ms backoff = ${r.worstCaseMs} ms`),
          `exceeds ${s.name}'s timeout (${s.timeoutMs} ms): lower attempts or perTryTimeout, or raise 'services.${s.name}.timeout'`,
        );
      }
      const amp = graph.amplification[s.name].factor * r.attempts;
      const target = r.kind === 'service' ? graph.amplification[r.name] : undefined;
      // Reported once, where the product first passes the bound along the heaviest path.
      if (amp > graph.amplificationBound && graph.amplification[s.name].factor <= graph.amplificationBound) {
        const path = [...graph.amplification[s.name].path, r.name].join(' -> ');
        problems.add(
          input(s.name, r.name, 'retries.attempts'),
          r.attempts,
          `makes ${path} try up to ${amp} times for one request (bound ${graph.amplificationBound}): a slow ${target ? r.name : 'store'} would set off a retry storm; lower attempts along the path`,
        );
      }
    }
  }
}

function checkRanges(problems: Problems, caller: string, r: ResolvedDependency): void {
  const at = (f: string) => input(caller, r.name, f);
  problems.check(
    Number.isInteger(r.attempts) && r.attempts >= 1 && r.attempts <= 10,
    at('retries.attempts'),
    r.attempts,
    'must be a whole number from 1 (no retry) to 10',
  );
  problems.check(r.perTryTimeoutMs >= 1, at('perTryTimeout'), shown(`${r.perTryTimeoutMs} ms`), 'must be at least 1 ms');
  problems.check(r.backoffMs >= 1, at('retries.backoff'), shown(`${r.backoffMs} ms`), 'must be at least 1 ms');
  for (const code of r.statusCodes) {
    problems.check(Number.isInteger(code) && code >= 500 && code <= 599, at('retries.statusCodes'), code, 'must be a 5xx status code');
  }
  const cb = r.circuitBreaker;
  for (const [k, v] of Object.entries(cb))
    problems.check(Number.isInteger(v) && v >= 1, at(`circuitBreaker.${k}`), v, 'must be a whole number >= 1');
  const o = r.outlierDetection;
  problems.check(
    Number.isInteger(o.maxEjectionPercent) && o.maxEjectionPercent >= 1 && o.maxEjectionPercent < 100,
    at('outlierDetection.maxEjectionPercent'),
    o.maxEjectionPercent,
    'must be a whole percentage from 1 to 99: at 100 every instance can be ejected and the dependency has none left',
  );
  for (const k of ['consecutive5xxErrors', 'consecutiveGatewayErrors'] as const) {
    problems.check(Number.isInteger(o[k]) && o[k] >= 1, at(`outlierDetection.${k}`), o[k], 'must be a whole number >= 1');
  }
  problems.check(o.intervalMs >= 1, at('outlierDetection.interval'), shown(`${o.intervalMs} ms`), 'must be at least 1 ms');
  problems.check(
    o.baseEjectionTimeMs >= 1,
    at('outlierDetection.baseEjectionTime'),
    shown(`${o.baseEjectionTimeMs} ms`),
    'must be at least 1 ms',
  );
}
