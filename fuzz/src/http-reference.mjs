/**
 * Reference reader of an HTTP/1.1 response as a client receives it (RFC 9112), written for
 * the fuzz suite, not taken from undici. Given the exact bytes a server wrote and how it
 * left the connection, it says whether the bytes were a response at all and, if so, the
 * status, the headers, the body bytes the client was handed and how the body ended.
 */

/** Largest header block a client is expected to accept, bytes (the contract's ~64 KB). */
export const MAX_HEADER_BLOCK_BYTES = 64 * 1024;

const CR = 13;
const LF = 10;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, spaces and tabs; no other control characters.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// The versions llhttp (undici's parser) takes on a status line: 0.9, 1.0, 1.1 and 2.0; the
// body is then read by HTTP/1.1 rules. Any other version is a malformed response.
const STATUS_LINE = /^HTTP\/(0\.9|1\.[01]|2\.0) [0-9]{3} [\t\x20-\x7e\x80-\xff]*$/;
const STATUS_VERSIONS = ['HTTP/0.9', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'];

/**
 * How the server left the connection after writing: `keep` (open, ready for the next
 * request), `close` (FIN), `reset` (RST) or `open` (neither: the bytes stop, the socket stays).
 * @typedef {'keep' | 'close' | 'reset' | 'open'} Ending
 *
 * @typedef {object} HttpFailure
 * @property {'failed'} kind
 * @property {'protocol' | 'network'} errorClass
 * @property {string} reason
 *
 * @typedef {object} HttpResponse
 * @property {'response'} kind
 * @property {number} status
 * @property {Array<[string, string]>} headers names lower-cased, in order
 * @property {number} interimResponses 1xx responses skipped before this one
 * @property {Buffer} body the body bytes as delivered (chunk framing removed)
 * @property {'complete' | 'eof' | 'open' | 'framing'} bodyEnd `eof`: the connection ended
 *   (FIN or RST) before or at the end of the body; `open`: the bytes stopped with the body
 *   unfinished and the connection still open; `framing`: the chunk framing broke
 * @property {string | undefined} framingError
 */

function isConnectionEnded(ending) {
  return ending === 'close' || ending === 'reset';
}

/** Index of the LF ending the line that starts at `from`, requiring CR before it; -1 if none yet. */
function findLineEnd(bytes, from) {
  return bytes.indexOf(LF, from);
}

/** Whether `line` (no terminator) could still grow into a valid status line. */
function isStatusLinePrefix(line) {
  return STATUS_VERSIONS.some((version) =>
    line.length <= version.length
      ? version.startsWith(line)
      : line.startsWith(version) &&
        /^( ([0-9]{0,2}|[0-9]{3}( [\t\x20-\x7e\x80-\xff]*)?)?)?$/.test(line.slice(version.length)),
  );
}

/** Whether `line` (no terminator) could still grow into a valid header line. */
function isHeaderLinePrefix(line) {
  const colon = line.indexOf(':');
  if (colon === -1) return line === '' || TOKEN.test(line);
  return TOKEN.test(line.slice(0, colon)) && FIELD_VALUE.test(line.slice(colon + 1));
}

/**
 * Reads one response head starting at `start`. Returns the head, a failure, or `more`
 * when the bytes end inside it.
 */
function readHead(bytes, start) {
  const headers = [];
  let statusLine;
  let at = start;
  for (;;) {
    const lf = findLineEnd(bytes, at);
    const end = lf === -1 ? bytes.length : lf;
    if (end - start > MAX_HEADER_BLOCK_BYTES) {
      return { failure: `a header block over ${MAX_HEADER_BLOCK_BYTES} bytes` };
    }
    if (lf === -1) {
      const partial = bytes.subarray(at).toString('latin1').replace(/\r$/, '');
      const isPrefix =
        statusLine === undefined ? isStatusLinePrefix(partial) : isHeaderLinePrefix(partial);
      return isPrefix ? { more: true } : { failure: `malformed line ${JSON.stringify(partial)}` };
    }
    if (lf === at || bytes[lf - 1] !== CR) {
      return { failure: 'a line not ended by CRLF in the response head' };
    }
    const line = bytes.subarray(at, lf - 1).toString('latin1');
    at = lf + 1;
    if (statusLine === undefined) {
      if (!STATUS_LINE.test(line))
        return { failure: `not an HTTP/1.x status line: ${JSON.stringify(line.slice(0, 60))}` };
      statusLine = line;
      continue;
    }
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon === -1)
      return { failure: `a header line without a colon: ${JSON.stringify(line.slice(0, 60))}` };
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name))
      return { failure: `an invalid header name ${JSON.stringify(name.slice(0, 60))}` };
    if (!FIELD_VALUE.test(value)) return { failure: `an invalid value in header ${name}` };
    headers.push([name.toLowerCase(), value]);
  }
  return { status: Number(statusLine.slice(9, 12)), headers, bodyStart: at };
}

/** The response's framing from its headers, or a failure. */
function framingOf(status, headers) {
  const lengths = headers.filter(([name]) => name === 'content-length').map(([, v]) => v);
  const encodings = headers.filter(([name]) => name === 'transfer-encoding').map(([, v]) => v);
  if (lengths.length > 1) return { failure: 'more than one Content-Length header' };
  if (lengths.length === 1 && encodings.length > 0) {
    return { failure: 'both Content-Length and Transfer-Encoding' };
  }
  if (status === 204 || status === 304) return { kind: 'length', length: 0 };
  if (encodings.length > 0) {
    const last = encodings.join(',').split(',').at(-1)?.trim().toLowerCase();
    return last === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  if (lengths.length === 1) {
    if (!/^[0-9]{1,15}$/.test(lengths[0]))
      return { failure: `Content-Length ${JSON.stringify(lengths[0])}` };
    return { kind: 'length', length: Number(lengths[0]) };
  }
  return { kind: 'close' };
}

/** De-chunks from `start`. */
function readChunked(bytes, start, ending) {
  const pieces = [];
  const unfinished = () => ({
    body: Buffer.concat(pieces),
    bodyEnd: isConnectionEnded(ending) ? 'eof' : 'open',
  });
  let at = start;
  for (;;) {
    const lf = findLineEnd(bytes, at);
    if (lf === -1) {
      const partial = bytes.subarray(at).toString('latin1');
      if (!/^([0-9a-fA-F]{1,16}(;[^\r\n]*)?\r?)?$/.test(partial)) {
        return {
          body: Buffer.concat(pieces),
          bodyEnd: 'framing',
          framingError: 'a bad chunk size',
        };
      }
      return unfinished();
    }
    const line = bytes.subarray(at, lf).toString('latin1');
    const match = /^([0-9a-fA-F]{1,16})(;[^\r\n]*)?\r$/.exec(line);
    if (match === null) {
      return {
        body: Buffer.concat(pieces),
        bodyEnd: 'framing',
        framingError: `a bad chunk size line ${JSON.stringify(line.slice(0, 40))}`,
      };
    }
    const size = Number.parseInt(match[1], 16);
    at = lf + 1;
    if (size === 0) {
      // Trailer fields, then the empty line that ends the message.
      for (;;) {
        const end = findLineEnd(bytes, at);
        if (end === -1) return unfinished();
        const trailer = bytes.subarray(at, end).toString('latin1');
        at = end + 1;
        if (trailer === '\r') return { body: Buffer.concat(pieces), bodyEnd: 'complete' };
      }
    }
    const available = Math.min(size, bytes.length - at);
    pieces.push(bytes.subarray(at, at + available));
    at += available;
    if (available < size) return unfinished();
    if (bytes.length - at < 2) {
      if (bytes.length > at && bytes[at] !== CR) {
        return {
          body: Buffer.concat(pieces),
          bodyEnd: 'framing',
          framingError: 'chunk data not followed by CRLF',
        };
      }
      return unfinished();
    }
    if (bytes[at] !== CR || bytes[at + 1] !== LF) {
      return {
        body: Buffer.concat(pieces),
        bodyEnd: 'framing',
        framingError: 'chunk data not followed by CRLF',
      };
    }
    at += 2;
  }
}

/**
 * Reads the response a client receives from `bytes` followed by `ending`.
 * @param {Buffer} bytes everything the server wrote on the connection for this request
 * @param {Ending} ending
 * @returns {HttpFailure | HttpResponse}
 */
export function readHttpResponse(bytes, ending) {
  let at = 0;
  let interimResponses = 0;
  for (;;) {
    const head = readHead(bytes, at);
    if (head.failure !== undefined) {
      return { kind: 'failed', errorClass: 'protocol', reason: head.failure };
    }
    if (head.more) {
      if (isConnectionEnded(ending)) {
        return {
          kind: 'failed',
          errorClass: 'network',
          reason:
            at === 0 && bytes.length === 0
              ? 'closed before any byte'
              : 'closed inside the response head',
        };
      }
      return { kind: 'failed', errorClass: 'network', reason: 'the response head never ended' };
    }
    // Interim responses (100 Continue, 103 Early Hints) precede the real one; 101 would
    // switch protocols, which a POST never asked for.
    if (head.status >= 100 && head.status <= 199) {
      // undici 7 fails a request on an interim 100 it did not ask for (no Expect header was
      // sent); 103 Early Hints and the others it skips, as RFC 9110 wants for all of them.
      if (head.status === 100)
        return {
          kind: 'failed',
          errorClass: 'protocol',
          reason: 'an unsolicited 100 Continue, which undici 7 cannot skip',
        };
      if (head.status === 101)
        return {
          kind: 'failed',
          errorClass: 'protocol',
          reason: 'an unrequested 101 Switching Protocols',
        };
      interimResponses++;
      at = head.bodyStart;
      continue;
    }
    const framing = framingOf(head.status, head.headers);
    if (framing.failure !== undefined) {
      return { kind: 'failed', errorClass: 'protocol', reason: framing.failure };
    }
    const response = {
      kind: 'response',
      status: head.status,
      headers: head.headers,
      interimResponses,
      framingError: undefined,
    };
    if (framing.kind === 'chunked') {
      return { ...response, ...readChunked(bytes, head.bodyStart, ending) };
    }
    if (framing.kind === 'length') {
      const end = head.bodyStart + framing.length;
      if (bytes.length >= end) {
        return { ...response, body: bytes.subarray(head.bodyStart, end), bodyEnd: 'complete' };
      }
      return {
        ...response,
        body: bytes.subarray(head.bodyStart),
        bodyEnd: isConnectionEnded(ending) ? 'eof' : 'open',
      };
    }
    return {
      ...response,
      body: bytes.subarray(head.bodyStart),
      bodyEnd: isConnectionEnded(ending) ? 'eof' : 'open',
    };
  }
}

/** The value of header `name` (lower-case), the last one if repeated. */
export function headerValue(response, name) {
  let value;
  for (const [key, v] of response.headers) if (key === name) value = v;
  return value;
}
