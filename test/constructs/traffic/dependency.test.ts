import { Duration } from 'cdk8s';
import {
  Dependency,
  dependencyName,
  isIdempotent,
  isRetriable,
  maxPendingDefault,
  perTryTimeoutDefault,
  serviceTimeoutDefault,
  worstBackoffMs,
  worstCallMs,
  millis,
} from '../../../constructs/traffic/dependency';

describe('isIdempotent', () => {
  const http = (methods: (Dependency & { kind: 'service' })['methods'], idempotent?: boolean): Dependency => ({
    kind: 'service',
    service: 'audit',
    methods,
    idempotent,
  });

  it('holds for GET, HEAD, OPTIONS, PUT and DELETE only, and GET is the default method', () => {
    expect(isIdempotent(http(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']))).toBe(true);
    expect(isIdempotent(http(undefined))).toBe(true);
    expect(isIdempotent(http(['GET', 'POST']))).toBe(false);
    expect(isIdempotent(http(['PATCH']))).toBe(false);
  });

  it('holds for any method the caller declares idempotent, and gRPC calls are POSTs otherwise', () => {
    expect(isIdempotent(http(['POST'], true))).toBe(true);
    expect(isIdempotent({ kind: 'service', service: 'nlp', protocol: 'grpc' })).toBe(false);
  });

  it('holds for the read-only pooler, not for writes or Redis unless declared', () => {
    expect(isIdempotent({ kind: 'postgres', access: 'ro' })).toBe(true);
    expect(isIdempotent({ kind: 'postgres', access: 'rw' })).toBe(false);
    expect(isIdempotent({ kind: 'redis' })).toBe(false);
    expect(isIdempotent({ kind: 'redis', idempotent: true })).toBe(true);
  });
});

describe('isRetriable', () => {
  it('holds where some method may be repeated, or the dependency is idempotent', () => {
    expect(isRetriable({ kind: 'service', service: 'a', methods: ['GET', 'POST'] })).toBe(true);
    expect(isRetriable({ kind: 'service', service: 'a', methods: ['POST', 'PATCH'] })).toBe(false);
    expect(isRetriable({ kind: 'postgres', access: 'ro' })).toBe(true);
    expect(isRetriable({ kind: 'redis' })).toBe(false);
  });
});

describe('dependencyName', () => {
  it('names services by name and the data tier by store and access', () => {
    expect([
      dependencyName({ kind: 'service', service: 'audit' }),
      dependencyName({ kind: 'redis' }),
      dependencyName({ kind: 'postgres', access: 'ro' }),
    ]).toEqual(['audit', 'redis', 'postgres-ro']);
  });
});

describe('backoff and worst case', () => {
  it("sums Envoy's jittered exponential ceilings: (2^n - 1) x base, capped at 10 x base", () => {
    expect(worstBackoffMs(1, 25)).toBe(0);
    expect(worstBackoffMs(3, 25)).toBe(25 + 75);
    // Retries 4 and 5 hit the cap (15 x 25 and 31 x 25 > 250).
    expect(worstBackoffMs(6, 25)).toBe(25 + 75 + 175 + 250 + 250);
  });

  it('adds every try timing out to the backoff between them', () => {
    expect(worstCallMs(3, 500, 25)).toBe(1500 + 100);
    expect(worstCallMs(1, 500, 25)).toBe(500);
  });
});

describe('defaults from the Slos', () => {
  it("gives a service call 2.5 x the callee's latency objective, never past the callee's timeout", () => {
    const d: Dependency = { kind: 'service', service: 'audit' };
    expect(perTryTimeoutDefault(d, { latencyMs: 200, timeoutMs: 2000 }, { latencyMs: 200, timeoutMs: 2000 })).toBe(500);
    expect(perTryTimeoutDefault(d, { latencyMs: 200, timeoutMs: 2000 }, { latencyMs: 200, timeoutMs: 300 })).toBe(300);
  });

  it("never gives a try longer than the caller's own timeout", () => {
    expect(
      perTryTimeoutDefault({ kind: 'service', service: 'nlp' }, { latencyMs: 20, timeoutMs: 200 }, { latencyMs: 2000, timeoutMs: 20_000 }),
    ).toBe(200);
  });

  it("gives a data-tier call half the caller's latency objective", () => {
    expect(perTryTimeoutDefault({ kind: 'redis' }, { latencyMs: 200, timeoutMs: 2000 })).toBe(100);
  });

  it('sets a service timeout of 10 x its latency objective', () => {
    expect(serviceTimeoutDefault(200)).toBe(2000);
  });

  it('allows as many pending requests as drain within one try at the callee latency, at least 1', () => {
    expect(maxPendingDefault(64, 500, 200)).toBe(96);
    expect(maxPendingDefault(64, 150, 200)).toBe(1);
  });

  it('reads a Duration in milliseconds', () => {
    expect(millis(Duration.seconds(2))).toBe(2000);
  });
});
