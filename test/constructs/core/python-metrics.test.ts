import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import { PYTHON_SERVE_METRICS } from '../../../constructs/core/python-metrics';
import { freePort } from '../../integration/support/ports';
import { describeWithPrograms } from '../../integration/support/programs';

/** GET on loopback: status, Content-Type and body. */
function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) =>
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject),
  );
}

describeWithPrograms('serve_metrics, the Python scripts’ metrics endpoint, on real python3', ['python3'], () => {
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // A script's shape: its own imports, the shared function, an object that renders, then its own work (a sleep).
    const program = [
      'import http.server, sys, threading, time',
      PYTHON_SERVE_METRICS,
      'class Counter:',
      '    def __init__(self):',
      '        self.calls = 0',
      '    def render(self):',
      '        self.calls += 1',
      '        return "# TYPE probe_renders_total counter\\nprobe_renders_total %d\\n" % self.calls',
      `serve_metrics(Counter(), ${port})`,
      'print("serving", flush=True)',
      'time.sleep(60)',
    ].join('\n');
    child = spawn('python3', ['-B', '-c', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => String(d).includes('serving') && resolve());
      child.on('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
    });
  });

  afterAll(async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill();
    await exited;
  });

  const renders = async () => Number(/^probe_renders_total (\d+)$/m.exec((await get(port, '/metrics')).body)![1]);

  it('renders the metrics anew on every scrape of /metrics, in the text exposition format', async () => {
    const scrape = await get(port, '/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.type).toBe('text/plain; version=0.0.4');
    expect(scrape.body).toMatch(/^# TYPE probe_renders_total counter\nprobe_renders_total \d+\n$/);
    const before = await renders();
    expect(await renders()).toBe(before + 1);
  });

  it('answers ok on any other path, for the probes, without rendering', async () => {
    const before = await renders();
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await renders()).toBe(before + 1);
  });
});
