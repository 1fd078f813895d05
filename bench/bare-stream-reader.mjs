// The yardstick of the wave scenarios: a streaming client that does what any client must do
// to measure a stream and nothing more. It sends the request llm-lens sends (same adapter,
// same body, its own x-request-id) through undici's `Agent.dispatch` (the HTTP stack
// llm-lens uses, so the comparison isolates llm-lens's own work), stamps each body chunk
// with process.hrtime.bigint() first thing in the data callback, then splits the SSE events
// of that chunk inline and keeps the chunk's stamp once per event whose
// `choices[0].delta.content` is non-empty. No records, no tokenizer, no statistics, no
// files: the stamps stay in memory (as offsets from the dispatch stamp) and are joined with
// the simulator's write log afterwards.
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';

const hrtime = process.hrtime.bigint;

/*
 * The dispatch stamp: when undici writes the request headers to the socket, as llm-lens's
 * transport takes it (packages/providers-core/src/http-transport.ts). undici calls the
 * handler's onRequestStart and then publishes `undici:client:sendHeaders` synchronously in
 * the same function, so the request that last ran onRequestStart is the one the message is
 * about. llm-lens's transport subscribes the same way; each side ignores messages while
 * nothing of its own is parked, and the two clients never run at the same time.
 */
let parked;
let isSubscribed = false;

function onSendHeaders() {
  const stampNs = hrtime();
  const request = parked;
  if (request === undefined) return;
  parked = undefined;
  request.dispatchNs = stampNs;
}

function ensureSubscribed() {
  if (isSubscribed) return;
  isSubscribed = true;
  subscribe('undici:client:sendHeaders', onSendHeaders);
}

/** One request: an undici dispatch handler that stamps chunks and counts content events. */
class BareRequest {
  dispatchNs = 0n;
  status = 0;
  error = undefined;
  /**
   * Per content event, its chunk's stamp − the dispatch stamp, ns (a chunk carrying two
   * events gives both its stamp). Doubles in a plain array: no BigInt per event kept alive.
   */
  offsets = [];
  #pending = '';
  #onEnd;

  constructor(requestId, isWarmup, onEnd) {
    this.requestId = requestId;
    this.isWarmup = isWarmup;
    this.#onEnd = onEnd;
  }

  onRequestStart() {
    parked = this;
  }

  onResponseStart(_controller, statusCode) {
    this.status = statusCode;
  }

  onResponseData(_controller, chunk) {
    const stampNs = hrtime();
    // The simulator writes ASCII only, so a chunk never splits a character.
    const text = this.#pending + chunk.toString('utf8');
    let start = 0;
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n', start)) {
      if (text.startsWith('data: ', start) && !text.startsWith('data: [DONE]', start)) {
        const content = JSON.parse(text.slice(start + 6, end)).choices?.[0]?.delta?.content;
        if (typeof content === 'string' && content.length > 0) {
          this.offsets.push(Number(stampNs - this.dispatchNs));
        }
      }
      start = end + 2;
    }
    this.#pending = start === text.length ? '' : text.slice(start);
  }

  onResponseEnd() {
    this.#onEnd(this);
  }

  onResponseError(_controller, error) {
    this.error = error;
    this.#onEnd(this);
  }
}

/**
 * Runs a warm-up wave of `warmup` requests that start together, waits for all of them, then
 * `requests` measured ones closed-loop on `concurrency` slots that also start together:
 * the pattern llm-lens's runPlan follows with `warmup: C`. `onMeasureStart` runs right
 * before the first measured dispatch. Resolves to every request (warm-up included).
 */
export async function runBareClosedLoop({
  agent,
  spec,
  concurrency,
  warmup,
  requests,
  onMeasureStart = () => {},
}) {
  ensureSubscribed();
  const url = new URL(spec.url);
  const origin = url.origin;
  const path = url.pathname + url.search;
  const all = [];
  const phase = (total, isWarmup) =>
    new Promise((resolve) => {
      let sent = 0;
      let ended = 0;
      const send = () => {
        sent++;
        const request = new BareRequest(randomUUID(), isWarmup, onEnd);
        all.push(request);
        agent.dispatch(
          {
            origin,
            path,
            method: spec.method,
            headers: { ...spec.headers, 'x-request-id': request.requestId },
            body: spec.body,
          },
          request,
        );
      };
      const onEnd = () => {
        ended++;
        if (ended === total) {
          resolve();
          return;
        }
        // undici frees a pipelining-1 socket one loop turn after the response ends (its own
        // setImmediate): sending now would open a new connection. Queued from a microtask,
        // this immediate runs after undici's, as llm-lens's transport delivers its end.
        if (sent < total) queueMicrotask(() => setImmediate(send));
      };
      for (let i = 0; i < Math.min(concurrency, total); i++) send();
    });
  if (warmup > 0) await phase(warmup, true);
  onMeasureStart();
  await phase(requests, false);
  return all;
}

/**
 * The measured requests as the record fields clientErrorAgainstWriteLog reads (requestId,
 * dispatchNs, tokenEventOffsetsNs), plus how many failed or were never stamped at dispatch.
 */
export function bareRecords(requests) {
  const records = [];
  let failed = 0;
  let unstamped = 0;
  let events = 0;
  for (const request of requests) {
    if (request.isWarmup) continue;
    if (request.error !== undefined || request.status !== 200) {
      failed++;
      continue;
    }
    if (request.dispatchNs === 0n) {
      unstamped++;
      continue;
    }
    const offsets = Float64Array.from(request.offsets);
    events += offsets.length;
    records.push({
      requestId: request.requestId,
      dispatchNs: request.dispatchNs,
      tokenEventOffsetsNs: offsets,
    });
  }
  return { records, failed, unstamped, events };
}
