/**
 * Just enough of the PostgreSQL frontend/backend protocol (v3) to open a trust-authenticated connection and run
 * simple queries: many of these stand in for application clients that reconnect after a pooler instance dies,
 * which pgbench does not do (it aborts a client whose connection breaks).
 *
 * @see https://www.postgresql.org/docs/current/protocol-flow.html
 */
import * as net from 'net';

/** An ErrorResponse from the server (e.g. PgBouncer's `no more connections allowed (max_client_conn)`). */
export class ServerError extends Error {}

export class PgConnection {
  private buffer = Buffer.alloc(0);
  private waiting?: { resolve: () => void; reject: (e: Error) => void; error?: string };
  public closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d));
    const fail = (e?: Error) => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(e ?? new Error('connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  /** Connects and completes the startup handshake (trust auth); rejects with ServerError when the server refuses. */
  public static connect(port: number, user: string, database: string, host = '127.0.0.1'): Promise<PgConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const conn = new PgConnection(socket);
      conn.waiting = { resolve: () => resolve(conn), reject };
      socket.once('connect', () => {
        const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
        const head = Buffer.alloc(8);
        head.writeInt32BE(8 + params.length, 0);
        head.writeInt32BE(196608, 4);
        socket.write(Buffer.concat([head, params]));
      });
    });
  }

  /** Runs one simple query; resolves at ReadyForQuery, rejects with ServerError if the server reported an error. */
  public query(sql: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const body = Buffer.from(`${sql}\0`);
      const head = Buffer.alloc(5);
      head.write('Q', 0);
      head.writeInt32BE(4 + body.length, 1);
      this.socket.write(Buffer.concat([head, body]));
    });
  }

  public close(): void {
    if (!this.closed) this.socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
    this.closed = true;
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= 5) {
      const type = String.fromCharCode(this.buffer[0]);
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      const w = this.waiting;
      if (!w) continue;
      if (type === 'R' && body.readInt32BE(0) !== 0) {
        this.waiting = undefined;
        w.reject(new ServerError(`authentication method ${body.readInt32BE(0)} not supported`));
      } else if (type === 'E') {
        w.error = errorMessage(body);
        // During startup no ReadyForQuery follows an error: the server closes.
        this.waiting = undefined;
        w.reject(new ServerError(w.error));
      } else if (type === 'Z') {
        this.waiting = undefined;
        w.resolve();
      }
    }
  }
}

function errorMessage(body: Buffer): string {
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]);
    const end = body.indexOf(0, i + 1);
    if (code === 'M') return body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return 'unknown error';
}
