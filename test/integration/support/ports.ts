/**
 * Ports for the programs the integration suites start. Suites run side by side (with each other and with unit tests,
 * and another checkout's suites may run on the same machine), so none uses a fixed port.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

const PORT_RANGE = '/proc/sys/net/ipv4/ip_local_port_range';

/** A free TCP port on loopback, assigned by the OS. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** `count` distinct free TCP ports on loopback, assigned by the OS (all held open until each is known). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Whether `port` can be listened on at every address (redis-server binds `*` and `::*`). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports from a random base, each with `port + offset` free too (a Redis Cluster node also
 * listens on its bus port, port + 10000). Taken below the OS's ephemeral range, where no outgoing connection takes
 * a port meanwhile; two suites choosing the same block at once are caught when a server fails to bind.
 */
export async function freePortBlock(count: number, offset = 0): Promise<number> {
  const ephemeralLow = fs.existsSync(PORT_RANGE) ? Number(fs.readFileSync(PORT_RANGE, 'utf8').trim().split(/\s+/)[0]) : 32768;
  const low = 10000;
  const high = Math.min(ephemeralLow, 65536) - offset - count;
  if (high <= low) throw new Error(`no room for ${count} ports (+${offset}) below the ephemeral range (${ephemeralLow})`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    const ports = Array.from({ length: count }, (_, i) => base + i).flatMap((p) => (offset ? [p, p + offset] : [p]));
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once a connection to 127.0.0.1:`port` is accepted. Rejects when `child` (the server being waited for) has
 * exited, as a server that could not bind its port does, or at the deadline.
 */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${child.spawnfile} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    if (Date.now() > deadline) throw new Error(`${child.spawnfile} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
