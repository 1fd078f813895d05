import {
  type DecoderOptions,
  type ResponseDecoder,
  type StreamErrorPayload,
  type StreamEvent,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import {
  asObject,
  asString,
  type JsonObject,
  parseObject,
  protocolError,
  SNIPPET_CHARS,
  utf8,
} from './bedrock-payload.js';
import {
  type AnthropicCacheCounts,
  serverTimings,
  toAnthropicUsage,
  toInvocationMetricsUsage,
} from './bedrock-usage.js';
import {
  EVENT_STREAM_CONTENT_TYPE,
  type EventStreamFrame,
  EventStreamFrameReader,
  readFrame,
} from './event-stream-reader.js';

// Frames: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
// (ResponseStream: `chunk` events whose `bytes` is the model's own stream event, base64).
// Anthropic's events: https://docs.anthropic.com/en/docs/build-with-claude/streaming; on
// Bedrock the last one also carries `amazon-bedrock-invocationMetrics`.

const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

/** Bedrock's invocation metrics, as server timings in ms. */
const METRIC_TIMINGS = {
  invocationLatency: 'invocation_latency_ms',
  firstByteLatency: 'first_byte_latency_ms',
} as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes an InvokeModelWithResponseStream body of an Anthropic model: every `chunk` frame
 * holds one Anthropic stream event, base64 in `bytes`. Token events are
 * `content_block_delta`s with `text_delta` (answer), `thinking_delta` (reasoning) or
 * `input_json_delta` (tool input). Usage comes from message_start and message_delta, then
 * from Bedrock's `amazon-bedrock-invocationMetrics` on the last event (its
 * `invocationLatency` and `firstByteLatency` become the server timings
 * `invocation_latency_ms` and `first_byte_latency_ms`). `message_stop` is the end marker;
 * exception frames and Anthropic `error` events are server-reported errors.
 */
export class InvokeStreamDecoder implements ResponseDecoder {
  readonly expectedContentType = EVENT_STREAM_CONTENT_TYPE;
  readonly #reader: EventStreamFrameReader;
  #emit: (event: StreamEvent) => void = () => {};
  #sawStop = false;
  /** Cache counts of message_start, which the invocation metrics may not repeat. */
  readonly #cache: AnthropicCacheCounts = {};
  readonly #onFrame = (frame: EventStreamFrame): void => this.#handle(frame);

  constructor(options: DecoderOptions = {}) {
    this.#reader = new EventStreamFrameReader(options.maxEventBytes);
  }

  get sawEndMarker(): boolean {
    return this.#sawStop;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    this.#emit = emit;
    if (this.#sawStop) return;
    try {
      this.#reader.push(chunk, this.#onFrame);
    } catch (error) {
      // message_stop carries the invocation metrics: what follows it cannot undo the response.
      if (!this.#sawStop) throw error;
    }
  }

  end(_emit: (event: StreamEvent) => void): void {
    // Nothing to flush: a frame cut short by the end of the body is never complete.
  }

  #handle(received: EventStreamFrame): void {
    // Nothing after message_stop belongs to the response.
    if (this.#sawStop) return;
    const frame = readFrame(received);
    if (frame.kind === 'error') {
      this.#emit({ text: '', reasoningText: '', toolText: '', error: frame.error });
      return;
    }
    // `chunk` is the only event type of this stream.
    if (frame.eventType !== 'chunk') return;
    const chunk = parseObject(utf8(frame.payload), 'an InvokeModelWithResponseStream chunk');
    const bytes = asString(chunk.bytes);
    if (!BASE64.test(bytes)) {
      throw protocolError(
        `an InvokeModelWithResponseStream chunk has no base64 "bytes": ${JSON.stringify(utf8(frame.payload).slice(0, SNIPPET_CHARS))}`,
      );
    }
    this.#handleModelEvent(
      parseObject(Buffer.from(bytes, 'base64').toString('utf8'), 'an Anthropic stream event'),
    );
  }

  #handleModelEvent(payload: JsonObject): void {
    switch (asString(payload.type)) {
      case 'content_block_delta': {
        const delta = asObject(payload.delta);
        const kind = asString(delta?.type);
        const text = kind === 'text_delta' ? asString(delta?.text) : '';
        const reasoningText = kind === 'thinking_delta' ? asString(delta?.thinking) : '';
        const toolText = kind === 'input_json_delta' ? asString(delta?.partial_json) : '';
        if (text.length > 0 || reasoningText.length > 0 || toolText.length > 0) {
          this.#emit({ text, reasoningText, toolText });
        }
        break;
      }
      case 'message_start': {
        const raw = asObject(asObject(payload.message)?.usage);
        if (typeof raw?.cache_read_input_tokens === 'number') {
          this.#cache.cacheRead = raw.cache_read_input_tokens;
        }
        if (typeof raw?.cache_creation_input_tokens === 'number') {
          this.#cache.cacheWrite = raw.cache_creation_input_tokens;
        }
        this.#emitUsage(toAnthropicUsage(raw));
        break;
      }
      case 'message_delta':
        this.#emitUsage(toAnthropicUsage(payload.usage));
        break;
      case 'message_stop':
        this.#sawStop = true;
        break;
      case 'error': {
        const error = asObject(payload.error);
        const result: StreamErrorPayload = {
          message: truncateErrorMessage(
            asString(error?.message) || 'the model reported an error without a message',
          ),
        };
        const type = asString(error?.type);
        if (type.length > 0) result.type = truncateErrorMessage(type);
        this.#emit({ text: '', reasoningText: '', toolText: '', error: result });
        break;
      }
      default:
        // ping, content_block_start, content_block_stop and types added later.
        break;
    }
    const metrics = asObject(payload[INVOCATION_METRICS]);
    if (metrics !== undefined) {
      const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
      const usage = toInvocationMetricsUsage(metrics, this.#cache);
      if (usage !== undefined) event.usage = usage;
      const timings = serverTimings(metrics, METRIC_TIMINGS);
      if (timings !== undefined) event.serverTimings = timings;
      if (usage !== undefined || timings !== undefined) this.#emit(event);
    }
  }

  #emitUsage(usage: StreamEvent['usage']): void {
    if (usage !== undefined) this.#emit({ text: '', reasoningText: '', toolText: '', usage });
  }
}
