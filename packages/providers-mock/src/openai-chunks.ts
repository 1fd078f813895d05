import type { CompletionRequest } from './completion-request.js';
import type { UsageCounts } from './protocols/wire-protocol.js';
import { simulatedTokenText } from './token-text.js';

// Wire format: https://platform.openai.com/docs/api-reference/chat/streaming (chat chunks)
// and https://platform.openai.com/docs/api-reference/completions/object (legacy). Every
// event is `data: <json>\n\n`; the stream ends with `data: [DONE]\n\n`.

/** The stream's end marker. */
export const DONE_EVENT = 'data: [DONE]\n\n';

const SYSTEM_FINGERPRINT = 'fp_llm_lens_mock';

/** The body of an OpenAI error: `{ "error": { message, type, param, code } }`. */
export interface OpenAiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** Serialises an OpenAI-shaped error body. */
export function errorJson(error: OpenAiErrorBody): string {
  return JSON.stringify({ error });
}

/** The text of `tokens` consecutive tokens as a JSON string literal (words need no escaping). */
function tokenJson(firstToken: number, tokens: number): string {
  let text = '"';
  for (let i = 0; i < tokens; i++) text += simulatedTokenText(firstToken + i);
  return text + '"';
}

function usageObject(usage: UsageCounts): object {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * Builds the SSE events of one streamed response. The invariant JSON around each token is
 * built once per request, so a token event costs two string concatenations and one write.
 */
export class ChunkEncoder {
  readonly #isChat: boolean;
  readonly #promptTokens: number;
  readonly #continuousUsage: boolean;
  /** Everything of a chunk up to the delta's fields (chat) or the text value (completions). */
  readonly #head: string;
  readonly #envelope: string;
  /** `,"usage":null` when include_usage is on without continuous stats, like OpenAI. */
  readonly #usageTail: string;

  constructor(request: CompletionRequest, responseId: string, created: number) {
    this.#isChat = request.endpoint === 'chat';
    this.#promptTokens = request.promptTokens;
    this.#continuousUsage = request.continuousUsage;
    const object = this.#isChat ? 'chat.completion.chunk' : 'text_completion';
    this.#envelope =
      `{"id":${JSON.stringify(responseId)},"object":"${object}","created":${created},` +
      `"model":${JSON.stringify(request.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}",`;
    this.#head = this.#isChat
      ? `data: ${this.#envelope}"choices":[{"index":0,"delta":{`
      : `data: ${this.#envelope}"choices":[{"index":0,"text":`;
    this.#usageTail = request.includeUsage && !request.continuousUsage ? ',"usage":null' : '';
  }

  #tail(finishReason: 'stop' | 'length' | null, completionTokens: number): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    const close = this.#isChat ? '},"logprobs":null' : ',"logprobs":null';
    let usage = this.#usageTail;
    if (this.#continuousUsage) {
      // vLLM's continuous_usage_stats: cumulative counts on every chunk.
      const prompt = this.#promptTokens;
      usage =
        `,"usage":{"prompt_tokens":${prompt},"completion_tokens":${completionTokens},` +
        `"total_tokens":${prompt + completionTokens}}`;
    }
    return `${close},"finish_reason":${finish}}]${usage}}\n\n`;
  }

  /** The first chat chunk: `delta: { role: 'assistant', content: '' }`; not a token. */
  roleChunk(): string {
    return this.#head + '"role":"assistant","content":""' + this.#tail(null, 0);
  }

  /**
   * One token event: `tokens` tokens starting at token `firstToken` of its phase;
   * `completionTokens` is the cumulative count including this event.
   */
  tokenChunk(
    isReasoning: boolean,
    firstToken: number,
    tokens: number,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
  ): string {
    const text = tokenJson(firstToken, tokens);
    const tail = this.#tail(finishReason, completionTokens);
    if (!this.#isChat) return this.#head + text + tail;
    return this.#head + (isReasoning ? '"reasoning_content":' : '"content":') + text + tail;
  }

  /** The include_usage chunk: `choices: []` and the final usage. */
  usageChunk(usage: UsageCounts): string {
    return `data: ${this.#envelope}"choices":[],"usage":${JSON.stringify(usageObject(usage))}}\n\n`;
  }

  /** A mid-stream error event, as OpenAI sends when generation fails after headers. */
  errorEvent(error: OpenAiErrorBody): string {
    return `data: ${errorJson(error)}\n\n`;
  }
}

/** The non-streaming body of a chat completion or legacy completion. */
export function completionBody(
  request: CompletionRequest,
  responseId: string,
  created: number,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const choice =
    request.endpoint === 'chat'
      ? {
          index: 0,
          message: {
            role: 'assistant',
            content: text.content,
            ...(text.reasoning === '' ? {} : { reasoning_content: text.reasoning }),
            refusal: null,
          },
          logprobs: null,
          finish_reason: finishReason,
        }
      : { text: text.content, index: 0, logprobs: null, finish_reason: finishReason };
  return JSON.stringify({
    id: responseId,
    object: request.endpoint === 'chat' ? 'chat.completion' : 'text_completion',
    created,
    model: request.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [choice],
    usage: usageObject(usage),
  });
}
