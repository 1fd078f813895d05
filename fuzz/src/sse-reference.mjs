/**
 * Reference reader of a `text/event-stream` body, written from the WHATWG HTML spec's
 * "Interpreting an event stream"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * not from llm-lens's parser. It sees the whole body at once, so it can be plain where the
 * product must be incremental: the two agree only if the product's chunk handling is right.
 */

/** Default cap on one line or one event, bytes (the product's `--max-event-bytes` default). */
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/**
 * @typedef {object} SseEvent
 * @property {string} type the `event:` field, or 'message'
 * @property {string} data the `data:` lines joined with '\n'
 *
 * @typedef {object} SseReading
 * @property {SseEvent[]} events dispatched events, in order
 * @property {string | undefined} overflow set when a line or event went over the size cap;
 *   `events` then holds only the events before it
 * @property {SseEvent | undefined} pendingAtEnd the event that was still open when the body
 *   ended (its data lines, the unterminated last line included), if it had any data line
 */

/**
 * Reads a whole event-stream body.
 * @param {Uint8Array} body
 * @param {{ maxEventBytes?: number }} [options]
 * @returns {SseReading}
 */
export function readEventStream(body, options = {}) {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  // The spec's decode: UTF-8, U+FFFD for each maximal invalid subpart, one leading BOM
  // dropped. TextDecoder's defaults are exactly that.
  const text = new TextDecoder('utf-8').decode(body);
  // CRLF is tried before its parts, so "\r\n" is one line end, a lone '\r' or '\n' another.
  const lines = text.split(/\r\n|\r|\n/);
  // After the last line end comes the last, unterminated line ('' when the text ended with
  // a line end). The spec never processes it: at end of file pending data is discarded.
  const unterminated = lines.pop() ?? '';

  const events = [];
  let dataLines = [];
  let dataBytes = 0;
  let type = '';
  let overflow;

  const processLine = (line) => {
    if (line === '') {
      if (dataLines.length > 0)
        events.push({ type: type || 'message', data: dataLines.join('\n') });
      dataLines = [];
      dataBytes = 0;
      type = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      dataLines.push(value);
      dataBytes += Buffer.byteLength(value) + 1;
      if (dataBytes - 1 > maxEventBytes) overflow = `an event of more than ${maxEventBytes} bytes`;
    } else if (field === 'event') {
      type = value;
    }
    // `id`, `retry` and unknown fields change nothing a response's outcome depends on.
  };

  for (const line of lines) {
    if (Buffer.byteLength(line) > maxEventBytes) {
      overflow = `a line of more than ${maxEventBytes} bytes`;
      break;
    }
    processLine(line);
    if (overflow !== undefined) break;
  }
  if (overflow === undefined && Buffer.byteLength(unterminated) > maxEventBytes) {
    overflow = `a line of more than ${maxEventBytes} bytes`;
  }
  if (overflow !== undefined) return { events, overflow, pendingAtEnd: undefined };

  if (unterminated !== '') processLine(unterminated);
  const pendingAtEnd =
    overflow === undefined && dataLines.length > 0
      ? { type: type || 'message', data: dataLines.join('\n') }
      : undefined;
  return { events, overflow, pendingAtEnd };
}
