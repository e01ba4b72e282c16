import { connect, type Socket } from 'node:net';

/** One answered request: the status code and the body as text. */
export interface LeanResponse {
  status: number;
  body: string;
}

/**
 * A load generator's HTTP/1.1 client, as lean as the protocol allows: kept-alive sockets, one request in flight per
 * socket, requests written as one string, responses read by their Content-Length. A benchmark's load generator shares
 * the machine with the server it measures, and node:http's client spends several times the CPU of this one per
 * request (agent bookkeeping, header objects, streams), which the server then cannot use; tools such as wrk exist
 * for the same reason. Chunked or length-less responses are refused with an error rather than misread: the servers
 * benchmarked here answer JSON with a Content-Length.
 */
export function createLeanHttpClient(options: { host: string; port: number; headers?: Record<string, string> }) {
  const fixedHeaders = Object.entries({ host: `${options.host}:${options.port}`, ...options.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const idle: LeanConnection[] = [];
  const all = new Set<LeanConnection>();

  function acquire(): LeanConnection {
    const reused = idle.pop();
    if (reused !== undefined && !reused.closed) return reused;
    const created = new LeanConnection(connect({ host: options.host, port: options.port, noDelay: true }));
    all.add(created);
    created.onClose = () => all.delete(created);
    return created;
  }

  return {
    /** POSTs a JSON text; the extra headers are written as given. */
    async post(path: string, json: string, headers = ''): Promise<LeanResponse> {
      const head = `POST ${path} HTTP/1.1\r\n${fixedHeaders}${headers}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n`;
      const connection = acquire();
      const response = await connection.send(head + json);
      if (!connection.closed) idle.push(connection);
      return response;
    },
    close() {
      for (const c of all) c.destroy();
      all.clear();
      idle.length = 0;
    },
  };
}

const headerEnd = Buffer.from('\r\n\r\n');

class LeanConnection {
  closed = false;
  onClose: () => void = () => {};
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve(r: LeanResponse): void; reject(e: Error): void } | null = null;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    const end = (error?: Error) => {
      this.closed = true;
      this.onClose();
      this.fail(error ?? new Error('the server closed the connection'));
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  send(request: string): Promise<LeanResponse> {
    if (this.pending !== null) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy() {
    this.socket.destroy();
  }

  private fail(error: Error) {
    const p = this.pending;
    this.pending = null;
    p?.reject(error);
  }

  private parse() {
    const end = this.buffer.indexOf(headerEnd);
    if (end < 0) return;
    const head = this.buffer.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (match === null || !Number.isInteger(status)) {
      this.fail(new Error(`unsupported response (no Content-Length): ${head.split('\r\n')[0]}`));
      this.socket.destroy();
      return;
    }
    const length = Number(match[1]);
    const start = end + headerEnd.length;
    if (this.buffer.length < start + length) return;
    const body = this.buffer.toString('utf8', start, start + length);
    this.buffer = this.buffer.subarray(start + length);
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.closed = true;
      this.socket.end();
    }
    const p = this.pending;
    this.pending = null;
    p?.resolve({ status, body });
  }
}
