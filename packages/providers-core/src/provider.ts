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

/** Token usage as reported by a server. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
}

/** An error the server reported inside an otherwise successful response body. */
export interface StreamErrorPayload {
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
  error?: StreamErrorPayload;
}

/** Turns response body bytes into StreamEvents. One decoder per response; not reusable. */
export interface ResponseDecoder {
  /** Feeds body bytes; calls `emit` for every complete event they finish. */
  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void;
  /** The body ended; flushes what remains. */
  end(emit: (event: StreamEvent) => void): void;
  /** Whether the protocol's end marker (`[DONE]`, a complete JSON body, ...) was seen. */
  readonly sawEndMarker: boolean;
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
  createDecoder(input: ProviderRequestInput): ResponseDecoder;
  /** Classifies a non-2xx response from its status, headers and (possibly truncated) body. */
  classifyHttpError(status: number, headers: ResponseHeaders, body: string): ErrorClassification;
  /** Classifies an error payload that arrived inside a 2xx stream. */
  classifyStreamError(error: StreamErrorPayload): ErrorClassification;
}
