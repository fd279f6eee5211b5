/**
 * A client that writes while the cluster fails over, and keeps what it was promised: each key is SET on the master
 * that owns its slot (from CLUSTER SLOTS, refreshed on any error or MOVED), followed by WAIT 1 on the same
 * connection; a key counts as acknowledged only when at least one replica confirmed it. Bounded by stop().
 */
import calculateSlot from 'cluster-key-slot';
import Redis from 'ioredis';
import { PASSWORD, sleep } from './redis-harness';

export class AckedWriter {
  public readonly acked = new Map<string, string>();
  public attempts = 0;
  private stopped = false;
  private readonly done: Promise<void>;
  private readonly clients = new Map<number, Redis>();
  private owners: [number, number, number][] = [];

  /** `ports`: the nodes to read the slot map from (any live one answers). */
  constructor(
    private readonly ports: () => readonly number[],
    private readonly prefix: string,
  ) {
    this.done = this.loop();
  }

  /** Stops writing; resolves with every acknowledged key and its value. */
  public async stop(): Promise<Map<string, string>> {
    this.stopped = true;
    await this.done;
    for (const c of this.clients.values()) c.disconnect();
    return this.acked;
  }

  private client(port: number): Redis {
    let c = this.clients.get(port);
    if (!c) {
      c = new Redis({
        host: '127.0.0.1',
        port,
        password: PASSWORD,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: true,
        retryStrategy: () => null,
        connectTimeout: 1000,
        commandTimeout: 3000,
      });
      c.on('error', () => undefined);
      this.clients.set(port, c);
    }
    return c;
  }

  private drop(port: number): void {
    this.clients.get(port)?.disconnect();
    this.clients.delete(port);
  }

  private async refresh(): Promise<void> {
    for (const port of this.ports()) {
      try {
        const slots = (await this.client(port).call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        this.owners = slots.map((s) => [s[0], s[1], s[2][1]]);
        return;
      } catch {
        this.drop(port);
      }
    }
    this.owners = [];
  }

  private async loop(): Promise<void> {
    await this.refresh();
    for (let i = 0; !this.stopped; i++) {
      const key = `${this.prefix}:${i}`;
      const slot = calculateSlot(key);
      const owner = this.owners.find(([a, b]) => slot >= a && slot <= b)?.[2];
      if (owner === undefined) {
        await sleep(20);
        await this.refresh();
        continue;
      }
      const value = `v${i}`;
      this.attempts++;
      try {
        const c = this.client(owner);
        await c.set(key, value);
        if (((await c.call('WAIT', '1', '1000')) as number) >= 1) this.acked.set(key, value);
        // Paced: a few hundred writes a second are plenty, and leave the shared cores to the servers.
        await sleep(3);
      } catch {
        // MOVED, a closed connection, a paused master: not acknowledged; learn the new owners.
        this.drop(owner);
        await sleep(20);
        await this.refresh();
      }
    }
  }
}

/** The acknowledged keys whose value is not what was acknowledged, read through a cluster-aware client. */
export async function lostKeys(
  read: (keys: string[]) => Promise<(string | null)[]>,
  acked: ReadonlyMap<string, string>,
): Promise<string[]> {
  const keys = [...acked.keys()];
  const values: (string | null)[] = [];
  for (let i = 0; i < keys.length; i += 500) values.push(...(await read(keys.slice(i, i + 500))));
  return keys.filter((k, i) => values[i] !== acked.get(k));
}
