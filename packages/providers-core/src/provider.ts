import type { ErrorClass } from '@llm-lens/core-timing';

/** One chat message; content is plain text. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What the executor asks an adapter to send. */
export interface ProviderRequestInput {
  model: string;
  /** A plain prompt (sent as one user message to chat APIs) or a message list. */
  prompt: string | readonly ChatMessage[];
  stream: boolean;
  /** Output token limit; omitted from the body when undefined. */
  maxTokens?: number;
  /**
   * Generate at least this many tokens, ignoring the end-of-sequence token until then, for
   * output lengths that do not depend on the model's mood (vLLM's `min_tokens` with
   * `ignore_eos`). Only adapters with `supportsMinTokens` send it; others leave it out.
   */
  minTokens?: number;
  temperature?: number;
  /** Extra provider-specific body fields, merged last (e.g. `{ ignore_eos: true }` for vLLM). */
  extraBody?: Readonly<Record<string, unknown>>;
}

/** A fully built HTTP request. Headers may hold credentials: never log them. */
export interface HttpRequestSpec {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

/**
 * Token usage as reported by a server. Counts are validated where they are read (see
 * `tokenCountProblem`): when any is not a token count, the whole report is dropped and only
 * `ignoredReason` is set, so the run falls back to counting tokens itself.
 */
export interface Usage {
  inputTokens?: number;
  /**
   * Generated tokens, visible and reasoning together, whatever the provider's own convention
   * (xAI's `completion_tokens` leaves reasoning out; adapters add it back).
   */
  outputTokens?: number;
  /** The provider's own count of generated tokens, exactly as reported. */
  reportedOutputTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
  /** Why the server's report was ignored, e.g. `usage ignored: completion_tokens 1e+300 is not a token count (...)`. */
  ignoredReason?: string;
}

/** An error the server reported inside an otherwise successful response body. */
export interface StreamErrorPayload {
  /** The server's text, at most `MAX_ERROR_MESSAGE_CHARS` characters (cut ones end in '…'). */
  message: string;
  type?: string;
  code?: string | number;
}

/**
 * One parsed event of a response body. An event is token-bearing when `text`,
 * `reasoningText` or `toolText` is non-empty; everything else (role-only, usage-only,
 * keep-alive, filter annotations) is not.
 */
export interface StreamEvent {
  /** Answer text generated in this event ('' when none). */
  text: string;
  /** Reasoning / thinking text generated in this event ('' when none). */
  reasoningText: string;
  /** Tool-call argument text generated in this event ('' when none). */
  toolText: string;
  /** Tokens this event carried, when the server reports it per event (vLLM continuous usage). */
  serverTokens?: number;
  /** Usage report carried by this event; the last one seen wins. */
  usage?: Usage;
  /**
   * Timings the server reports about its own work, in milliseconds, under the provider's
   * names in snake_case (Bedrock's `latency_ms`, Ollama's `eval_duration_ms`...). Kept in the
   * record as `server_timings` next to the client's measurements, never mixed into them.
   * Later events add to and overwrite earlier ones, key by key.
   */
  serverTimings?: Readonly<Record<string, number>>;
  error?: StreamErrorPayload;
}

/** Options of `Provider.createDecoder`. */
export interface DecoderOptions {
  /**
   * Largest piece of a body a decoder buffers: an SSE line or event, a whole JSON body.
   * Beyond it `push` throws a `LENS_PROVIDER_PROTOCOL` error (class `protocol`), so a server
   * that never ends a line cannot exhaust memory. Default `DEFAULT_MAX_EVENT_BYTES` (8 MiB).
   */
  maxEventBytes?: number;
}

/**
 * Turns response body bytes into StreamEvents. One decoder per response; not reusable.
 * `push` and `end` throw a `LensProviderError` (class `protocol`) when the body breaks the
 * wire format; the caller then stops reading the response.
 */
export interface ResponseDecoder {
  /** Feeds body bytes; calls `emit` for every complete event they finish. */
  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void;
  /** The body ended; flushes what remains. */
  end(emit: (event: StreamEvent) => void): void;
  /** Whether the protocol's end marker (`[DONE]`, a complete JSON body, ...) was seen. */
  readonly sawEndMarker: boolean;
  /**
   * True after the end marker while the protocol's closing trailer has not arrived: Bedrock
   * sends the usage in a `metadata` event after `messageStop`. The runner keeps pushing
   * chunks during the end marker's grace period while it is true; the decoder reads only
   * that trailer then, and nothing after the marker (not even a broken frame) fails the
   * response. Absent or false: nothing after the marker is read.
   */
  readonly awaitsTrailer?: boolean;
  /**
   * The media type a successful response of this decoder carries, e.g. `text/event-stream`.
   * The runner uses it to say what arrived instead when a body is not in the protocol.
   */
  readonly expectedContentType?: string;
}

/** How a failure is classified, with an actionable message that holds no secrets. */
export interface ErrorClassification {
  errorClass: ErrorClass;
  message: string;
  /**
   * The same request would fail the same way again: a refused connection, an unknown host,
   * a rejected key, a wrong path or parameter. A run stops sending requests that can only
   * fail this way.
   */
  persistent?: boolean;
}

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The contract every adapter satisfies. An adapter builds requests and parses responses;
 * it never times anything and never retries: timing is the executor's, the same way for every
 * provider, and retries belong in a transport interceptor (see transport.ts).
 */
export interface Provider {
  /** Registry id, e.g. `openai`, `openai-compatible`. */
  readonly id: string;
  /** Label used in results (defaults to id; the CLI may set a user-chosen name). */
  readonly name: string;
  buildRequest(input: ProviderRequestInput): HttpRequestSpec;
  /** A decoder for the response to `input`; `options` bound what it may buffer. */
  createDecoder(input: ProviderRequestInput, options?: DecoderOptions): ResponseDecoder;
  /** Classifies a non-2xx response from its status, headers and (possibly truncated) body. */
  classifyHttpError(status: number, headers: ResponseHeaders, body: string): ErrorClassification;
  /** Classifies an error payload that arrived inside a 2xx stream. */
  classifyStreamError(error: StreamErrorPayload): ErrorClassification;
  /**
   * The cheapest request that proves the credentials and the endpoint work, for
   * `llm-lens doctor`: a model list where the API has one (free, generates nothing). A 2xx
   * answer means ready. Without it, doctor sends a one-token generation.
   */
  buildCheckRequest?(): HttpRequestSpec;
  /**
   * Whether `ProviderRequestInput.minTokens` reaches the server (vLLM-compatible servers:
   * `min_tokens` + `ignore_eos`). Absent: it is left out, and the CLI says so.
   */
  readonly supportsMinTokens?: boolean;
}
