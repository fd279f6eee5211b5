/**
 * The k6 entry, bundled by esbuild into the ConfigMap the K6LoadTest Job runs. The plan (scenario options,
 * endpoints, base URL, think time) arrives as JSON in PERFSTACK_PLAN, rendered at synth time.
 */
import { check, sleep } from 'k6';
import http from 'k6/http';
import { Options } from 'k6/options';
import { TestPlan, pickEndpoint } from '../plan';

const plan: TestPlan = JSON.parse(__ENV.PERFSTACK_PLAN ?? '{}');

export const options: Options = plan.options as unknown as Options;

export default function (): void {
  const endpoint = pickEndpoint(plan.endpoints, Math.random());
  const res = http.request(endpoint.method, `${plan.baseUrl}${endpoint.path}`, endpoint.body ?? null, {
    headers: endpoint.body ? { 'Content-Type': 'application/json' } : {},
    tags: { endpoint: endpoint.name },
  });
  check(res, {
    'status is as expected': (r) => r.status === (endpoint.expectStatus ?? 200),
    'body is as expected': (r) => {
      const body = typeof r.body === 'string' ? r.body : '';
      return endpoint.expectBody === undefined ? body.length > 0 : body.includes(endpoint.expectBody);
    },
  });
  // Think time: real users pause between actions; without it 100 VUs act like thousands.
  sleep(plan.thinkTimeSeconds * (0.5 + Math.random()));
}
