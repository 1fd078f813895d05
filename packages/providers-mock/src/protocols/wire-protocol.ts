import type { IncomingHttpHeaders } from 'node:http';
import type { PlannedEvent } from '../generation-plan.js';

/** What the simulator needs to know of any request, whatever protocol it came in. */
export interface SimulatedRequest {
  /** Echoed in responses. */
  model: string;
  stream: boolean;
  /**
   * Whether the response carries usage. Protocols that always send it set true; OpenAI's
   * chat stream only with `stream_options.include_usage`.
   */
  includeUsage: boolean;
  /** vLLM's `continuous_usage_stats`: cumulative usage on every chunk (OpenAI protocol only). */
  continuousUsage: boolean;
  /** The request's output cap (reasoning and answer together), if any. */
  maxTokens: number | undefined;
  /** vLLM's `min_tokens`. */
  minTokens: number | undefined;
  /** vLLM's `ignore_eos`: generate until maxTokens. */
  ignoreEos: boolean;
  /** Prompt size, estimated from the words of the messages. */
  promptTokens: number;
  /** The protocol has a field for reasoning text; without one, none is generated. */
  supportsReasoning: boolean;
}

/** Usage counts of a response. */
export interface UsageCounts {
  promptTokens: number;
  /** Reasoning included. */
  completionTokens: number;
  reasoningTokens: number;
}

/** Bytes for the socket: SSE and JSON protocols write strings, binary framings bytes. */
export type WireChunk = string | Uint8Array;

/** A complete error response in the protocol's own shape. */
export interface ProtocolErrorResponse {
  status: number;
  body: string;
  /** Default `application/json`. */
  contentType?: string;
  /** Extra headers (e.g. AWS's `x-amzn-errortype`). */
  headers?: Record<string, string>;
}

/** The errors every protocol must be able to express. */
export type SimulatedErrorKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'request_too_large'
  | 'rate_limit'
  | 'server_error';

/** Writes the events of one streamed response. */
export interface StreamEncoder {
  /** The response's content type, e.g. `text/event-stream`. */
  readonly contentType: string;
  /**
   * Written right after the headers, before the first token (OpenAI's role chunk,
   * Anthropic's message_start); '' when the protocol sends nothing then.
   */
  head(): WireChunk;
  /** One token event; `completionTokens` is the cumulative count including this event. */
  token(
    event: PlannedEvent,
    text: string,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
  ): WireChunk;
  /** Everything after the last token: usage (when sent) and the end marker. */
  end(usage: UsageCounts, finishReason: 'stop' | 'length'): WireChunk;
  /** The event a server sends when generation fails after the headers; ends the body. */
  error(message: string): WireChunk;
}

/** A parsed request of one protocol, able to encode its responses. */
export interface ProtocolExchange {
  readonly request: SimulatedRequest;
  streamEncoder(responseId: string, created: number): StreamEncoder;
  /** The complete non-streaming body. */
  body(
    responseId: string,
    created: number,
    text: { reasoning: string; content: string },
    finishReason: 'stop' | 'length',
    usage: UsageCounts,
  ): { contentType: string; body: string };
}

export type ParsedExchange =
  | { ok: true; exchange: ProtocolExchange }
  | { ok: false; error: ProtocolErrorResponse };

/** One endpoint of a protocol, matched from the method, path and headers. */
/**
 * The credential value every protocol rejects with its own 401 (or 403), so clients can
 * be tested against an authentication failure; any other credential, or none, is accepted.
 */
export const REJECTED_CREDENTIAL = 'invalid-key';

export interface ProtocolRoute {
  /** Prefix of response ids, e.g. `chatcmpl-`. */
  readonly responseIdPrefix: string;
  /** Checks the body and headers the way the real API does; a 400 (or 401) otherwise. */
  parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange;
  /** This protocol's error response of the given kind. */
  error(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse;
}

/** A plain response to a non-generating request (model lists, health). */
export interface StaticResponse {
  status: number;
  body: string;
  contentType?: string;
}

/** One provider's wire format, as the simulator serves it. */
export interface WireProtocol {
  /** Short name: `openai`, `anthropic`, ... */
  readonly name: string;
  /** `METHOD path` lines of the generating routes, for the 404 message and docs. */
  readonly routes: readonly string[];
  /** The generating route for this request, if the protocol serves it. */
  match(method: string, path: string, headers: IncomingHttpHeaders): ProtocolRoute | undefined;
  /** Answers a non-generating request (e.g. a model list), if the protocol serves it. */
  serveStatic?(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    models: readonly string[],
  ): StaticResponse | undefined;
}
