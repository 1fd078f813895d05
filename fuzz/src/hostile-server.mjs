/**
 * A raw `node:net` server on a free loopback port that answers each HTTP request with the
 * next case of its queue, byte for byte: no HTTP library stands between the case and the
 * socket, so broken framing reaches the client exactly as written.
 */
import net from 'node:net';

/** Pause between the last write and a reset, ms: the RST must not overtake the data. */
const RESET_AFTER_MS = 25;
/** How long the other requests of a run wait for the control case to finish, ms. */
const CONTROL_HEAD_START_MS = 250;
/** Largest piece written at once, so a huge case honours backpressure. */
const MAX_WRITE_BYTES = 64 * 1024;

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * @typedef {object} Served
 * @property {string} requestId the request's x-request-id header
 * @property {string} key the case's key
 * @property {string} method
 * @property {string} path
 */

/** Reads HTTP/1.1 requests off one socket: head, then a Content-Length or chunked body. */
class RequestReader {
  #buffer = Buffer.alloc(0);

  push(data) {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
  }

  /** The next complete request, or undefined until more bytes arrive. */
  next() {
    const headEnd = this.#buffer.indexOf(CRLF2);
    if (headEnd === -1) return undefined;
    const lines = this.#buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const [method = '', path = ''] = lines[0].split(' ');
    const headers = new Map();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    let at = headEnd + 4;
    if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
      for (;;) {
        const lineEnd = this.#buffer.indexOf('\r\n', at);
        if (lineEnd === -1) return undefined;
        const size = Number.parseInt(this.#buffer.subarray(at, lineEnd).toString('latin1'), 16);
        at = lineEnd + 2;
        if (size === 0) {
          const end = this.#buffer.indexOf('\r\n', at);
          if (end === -1) return undefined;
          at = end + 2;
          break;
        }
        at += size + 2;
        if (at > this.#buffer.length) return undefined;
      }
    } else {
      at += Number(headers.get('content-length') ?? 0);
      if (at > this.#buffer.length) return undefined;
    }
    this.#buffer = this.#buffer.subarray(at);
    return { method, path, headers };
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `bytes` as separate writes split at `cuts`, waiting between them. */
async function writeCase(socket, bytes, cuts) {
  const bounds = [0, ...(cuts ?? []), bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    for (let at = bounds[i]; at < bounds[i + 1]; at += MAX_WRITE_BYTES) {
      if (socket.destroyed) return false;
      const piece = bytes.subarray(at, Math.min(bounds[i + 1], at + MAX_WRITE_BYTES));
      if (!socket.write(piece)) {
        await new Promise((resolve) => {
          const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
    // setImmediate lets each piece leave as its own segment; every eighth pause is a timer
    // tick, long enough for the client to read the piece on its own.
    if (cuts !== undefined && i + 2 < bounds.length) await (i % 8 === 7 ? sleep(1) : nextTurn());
  }
  return !socket.destroyed;
}

/** Resolves once everything written so far has left this process. */
function flushed(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.writableLength === 0) resolve();
    else socket.write(Buffer.alloc(0), () => resolve());
  });
}

/**
 * The hostile server. `load(cases)` queues one run's cases (the control case first); each
 * request takes the next one.
 */
export class HostileServer {
  #server = net.createServer((socket) => this.#onConnection(socket));
  #sockets = new Set();
  #queue = [];
  /** x-request-id → Served */
  served = new Map();
  /** Requests that found the queue empty, or had no x-request-id: a harness problem. */
  anomalies = [];
  #controlDone = Promise.resolve();
  #releaseControl = () => {};
  port = 0;

  async start() {
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.#server.address().port;
    return this;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Queues one run's cases. The first is the control: the others are held until it has
   * been answered and CONTROL_HEAD_START_MS have passed, so the first finished record is a
   * success and the CLI's early stop (the first requests all failing alike and persistently)
   * can never skip the cases after a run of 401s.
   */
  load(cases) {
    this.#queue = [...cases];
    this.served = new Map();
    this.anomalies = [];
    this.#controlDone = new Promise((resolve) => {
      this.#releaseControl = () => setTimeout(resolve, CONTROL_HEAD_START_MS);
    });
  }

  /** Cases never requested. */
  get unserved() {
    return this.#queue;
  }

  /** Ends every connection left open (a case that keeps its connection open, for one). */
  closeConnections() {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async stop() {
    this.closeConnections();
    await new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #onConnection(socket) {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
    const reader = new RequestReader();
    let busy = false;
    let isFinished = false;
    const serveWaiting = async () => {
      if (busy || isFinished) return;
      busy = true;
      try {
        for (let request = reader.next(); request !== undefined; request = reader.next()) {
          if (!(await this.#answer(socket, request))) {
            isFinished = true;
            return;
          }
        }
      } finally {
        busy = false;
      }
    };
    socket.on('data', (data) => {
      reader.push(data);
      serveWaiting();
    });
  }

  /** Serves one request; false when the connection is done with. */
  async #answer(socket, request) {
    const requestId = request.headers.get('x-request-id');
    const item = this.#queue.shift();
    if (item === undefined || requestId === undefined) {
      this.anomalies.push(
        `${request.method} ${request.path}: ${item === undefined ? 'no case left' : 'no x-request-id'}`,
      );
      if (item !== undefined) this.#queue.unshift(item);
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return false;
    }
    this.served.set(requestId, {
      requestId,
      key: item.key,
      method: request.method,
      path: request.path,
    });
    let isWritten;
    if (item.kind === 'control') {
      try {
        isWritten = await writeCase(socket, item.bytes, item.cuts);
      } finally {
        this.#releaseControl();
      }
    } else {
      await this.#controlDone;
      isWritten = await writeCase(socket, item.bytes, item.cuts);
      for (let i = 0; isWritten && i < (item.repeat?.times ?? 0); i++) {
        isWritten = await writeCase(socket, item.repeat.bytes, undefined);
      }
    }
    if (!isWritten) return false;
    switch (item.ending) {
      case 'keep':
        return true;
      case 'close':
        socket.end();
        return false;
      case 'reset':
        await flushed(socket);
        await sleep(RESET_AFTER_MS);
        if (!socket.destroyed) socket.resetAndDestroy();
        return false;
      default:
        // 'open': the bytes stop and the connection stays; the client must end it.
        return false;
    }
  }
}
