// What undici 7 raises for responses that break HTTP/1.1, and the class each becomes. Every
// response is served as exact bytes by a raw TCP server over a real loopback socket, so the
// test pins undici's actual behaviour: an upgrade of undici that changes it fails here.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { ErrorClass } from '@llm-lens/core-timing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTransportError } from '../src/error-classification.js';
import { HttpTransport } from '../src/http-transport.js';
import type { ErrorClassification } from '../src/provider.js';

interface ServedResponse {
  /** Written in order, each after the previous one was flushed. */
  parts: ReadonlyArray<string | Buffer>;
  /** Leave the connection open (as a server waiting for more would) or close it. */
  ending: 'hold' | 'close';
}

interface Outcome {
  status?: number;
  body: string;
  isComplete: boolean;
  error?: Error;
  classification?: ErrorClassification;
  afterHeaders: boolean;
}

/** 64 bytes that are no protocol's, fixed so a failure can be replayed. */
function binaryNoise(): Buffer {
  const bytes = Buffer.alloc(64);
  let state = 42;
  for (let i = 0; i < bytes.length; i += 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    bytes[i] = state >>> 16;
  }
  bytes[0] = 0x16; // never 'H': the status line must be refused at its first byte
  return bytes;
}

const ok = (body: string): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

const served = new Map<string, ServedResponse>();
const sockets = new Set<Socket>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let isAnswered = false;
    socket.on('data', (data) => {
      if (isAnswered) return;
      isAnswered = true;
      // The request line arrives in the first segment: "POST /<case> HTTP/1.1".
      const path = data.toString('latin1').split(' ')[1] ?? '';
      const response = served.get(decodeURIComponent(path.slice(1)));
      if (response === undefined) {
        socket.destroy();
        return;
      }
      const write = (index: number): void => {
        const part = response.parts[index];
        if (part === undefined) {
          if (response.ending === 'close') socket.end();
          return;
        }
        socket.write(part, () => write(index + 1));
      };
      write(0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Serves `response` to one request sent through a fresh HttpTransport. */
async function exchange(name: string, response: ServedResponse): Promise<Outcome> {
  served.set(name, response);
  const transport = new HttpTransport({ headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
  const outcome: Outcome = { body: '', isComplete: false, afterHeaders: false };
  try {
    await new Promise<void>((resolve) => {
      transport.send(
        {
          url: `${base}/${encodeURIComponent(name)}`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        },
        {
          onConnection() {},
          onHeaders(status) {
            outcome.afterHeaders = true;
            outcome.status = status;
          },
          onChunk(chunk) {
            outcome.body += chunk.toString('latin1');
          },
          onComplete() {
            outcome.isComplete = true;
            resolve();
          },
          onError(error) {
            outcome.error = error;
            outcome.classification = classifyTransportError(error, {
              afterHeaders: outcome.afterHeaders,
            });
            resolve();
          },
        },
      );
    });
  } finally {
    await transport.close();
  }
  return outcome;
}

interface MalformedCase {
  name: string;
  response: ServedResponse;
  /** What undici 7.x raised (name, and code when it sets one). */
  raised: { name: string; code?: string };
  afterHeaders: boolean;
  errorClass: ErrorClass;
  fragment: string;
}

const cases: MalformedCase[] = [
  {
    name: 'a non-HTTP banner (SSH)',
    response: { parts: ['SSH-2.0-OpenSSH_9.6\r\n'], ending: 'hold' },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment:
      'malformed HTTP response: Expected HTTP/, RTSP/ or ICE/ at "SSH-2.0-OpenSSH_9.6\\r\\n" (is something other than an HTTP/1.1 server',
  },
  {
    name: 'an HTTP/2 connection preface',
    response: { parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], ending: 'hold' },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Expected HTTP/, RTSP/ or ICE/ at "PRI * HTTP/2.0',
  },
  {
    name: 'random binary',
    response: { parts: [binaryNoise()], ending: 'hold' },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Expected HTTP/, RTSP/ or ICE/ at "\\u0016',
  },
  {
    name: 'a garbage status code',
    response: { parts: ['HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n'], ending: 'hold' },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Invalid status code at "abc OK',
  },
  {
    name: 'a header line without a colon',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nContent-Type text/event-stream\r\nContent-Length: 2\r\n\r\nok'],
      ending: 'hold',
    },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Invalid header token',
  },
  {
    name: 'a chunk size that is not hex',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
      ending: 'hold',
    },
    raised: { name: 'HTTPParserError' },
    afterHeaders: true,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Invalid character in chunk size at "zz\\r\\n',
  },
  {
    name: 'a negative chunk size',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n'],
      ending: 'hold',
    },
    raised: { name: 'HTTPParserError' },
    afterHeaders: true,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: Invalid character in chunk size at "-5\\r\\n',
  },
  {
    name: '100 KB of headers',
    response: {
      parts: [
        `HTTP/1.1 200 OK\r\n${Array.from({ length: 1000 }, (_, i) => `X-Pad-${i}: ${'a'.repeat(90)}\r\n`).join('')}Content-Length: 2\r\n\r\nok`,
      ],
      ending: 'hold',
    },
    raised: { name: 'HeadersOverflowError', code: 'UND_ERR_HEADERS_OVERFLOW' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: the response headers were too large',
  },
  {
    name: 'conflicting duplicate Content-Length values',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello'],
      ending: 'hold',
    },
    // llhttp refuses the second Content-Length, but undici reports any parser failure after
    // a Content-Length header as a length mismatch (client-h1.js createError).
    raised: {
      name: 'ResponseContentLengthMismatchError',
      code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: 'malformed HTTP response: invalid headers after a Content-Length header',
  },
  {
    name: 'Transfer-Encoding chunked and Content-Length together',
    response: {
      parts: [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      ],
      ending: 'hold',
    },
    raised: { name: 'HTTPParserError' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment: "malformed HTTP response: Content-Length can't be present with Transfer-Encoding",
  },
  {
    name: 'a connection closed in the middle of the headers',
    response: { parts: ['HTTP/1.1 200 OK\r\nContent-Type: text/ev'], ending: 'close' },
    raised: { name: 'SocketError', code: 'UND_ERR_SOCKET' },
    afterHeaders: false,
    errorClass: 'network',
    fragment: 'the connection closed unexpectedly: other side closed (UND_ERR_SOCKET)',
  },
  {
    name: 'a connection closed in the middle of the body',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ndata: {"choices":'],
      ending: 'close',
    },
    raised: { name: 'SocketError', code: 'UND_ERR_SOCKET' },
    afterHeaders: true,
    errorClass: 'stream_interrupted',
    fragment: 'stream interrupted, the connection closed unexpectedly: other side closed',
  },
  {
    name: 'a Connection: close body cut short of its Content-Length',
    response: {
      parts: ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100\r\n\r\ndata: {"ch'],
      ending: 'close',
    },
    raised: {
      name: 'ResponseContentLengthMismatchError',
      code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    },
    afterHeaders: true,
    errorClass: 'stream_interrupted',
    fragment: 'stream interrupted, the body ended before its Content-Length',
  },
  {
    name: 'an unsolicited 100 Continue before a valid 200',
    response: { parts: ['HTTP/1.1 100 Continue\r\n\r\n', ok('data: [DONE]\n\n')], ending: 'hold' },
    // RFC 9110 §15.2 says a client must accept it; undici 7 destroys the socket instead
    // (client-h1.js onHeadersComplete: statusCode === 100 → SocketError 'bad response').
    raised: { name: 'SocketError', code: 'UND_ERR_SOCKET' },
    afterHeaders: false,
    errorClass: 'protocol',
    fragment:
      'malformed HTTP response: the server sent an interim 100 Continue the request did not ask for',
  },
];

describe('malformed HTTP responses over a real socket', () => {
  for (const testCase of cases) {
    it(`classifies ${testCase.name} as ${testCase.errorClass}`, async () => {
      const outcome = await exchange(testCase.name, testCase.response);
      expect(outcome.isComplete).toBe(false);
      expect(outcome.error?.name).toBe(testCase.raised.name);
      expect((outcome.error as { code?: string }).code).toBe(testCase.raised.code);
      expect(outcome.afterHeaders).toBe(testCase.afterHeaders);
      expect(outcome.classification?.errorClass).toBe(testCase.errorClass);
      expect(outcome.classification?.message).toContain(testCase.fragment);
    });
  }

  it('marks only a server that does not speak HTTP at all as persistent', async () => {
    const banner = await exchange('persistent banner', {
      parts: ['SSH-2.0-OpenSSH_9.6\r\n'],
      ending: 'hold',
    });
    expect(banner.classification?.persistent).toBe(true);
    const badChunk = await exchange('persistent chunk', {
      parts: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      ending: 'hold',
    });
    expect(badChunk.classification?.persistent).toBeUndefined();
  });

  it('skips an unsolicited 103 Early Hints before the 200, unlike a 100 Continue', async () => {
    const outcome = await exchange('early hints', {
      parts: [
        'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n',
        ok('data: [DONE]\n\n'),
      ],
      ending: 'hold',
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.isComplete).toBe(true);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toBe('data: [DONE]\n\n');
  });
});
