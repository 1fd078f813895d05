import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import {
  asObject,
  asString,
  parseObject,
  readGenerationError,
  SNIPPET_CHARS,
} from './cohere-payload.js';
import { toCohereUsage } from './cohere-usage.js';

/**
 * Decodes a non-streaming Cohere Chat v2 body: at the end, one event with the text and
 * thinking of every `message.content` item, the `tool_plan` (reasoning, as when streamed),
 * the arguments of every `message.tool_calls` entry, and the usage.
 */
export class CohereJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('a Cohere response body', options.maxEventBytes);
  }

  /** The body parsed as a chat response with a `message` object. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const payload = parseObject(body, 'a Cohere response body');
    // An error body is `{"message": "..."}` (sometimes with an `id`): a string, not a message.
    if (typeof payload.message === 'string') {
      emit({
        text: '',
        reasoningText: '',
        toolText: '',
        error: { message: truncateErrorMessage(payload.message) },
      });
      return;
    }
    const message = asObject(payload.message);
    if (message === undefined) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `a Cohere response body has no "message" object: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const event: StreamEvent = {
      text: '',
      reasoningText: asString(message.tool_plan),
      toolText: '',
    };
    if (Array.isArray(message.content)) {
      for (const raw of message.content) {
        const item = asObject(raw);
        if (item?.type === 'text') event.text += asString(item.text);
        else if (item?.type === 'thinking') event.reasoningText += asString(item.thinking);
      }
    }
    if (Array.isArray(message.tool_calls)) {
      for (const raw of message.tool_calls) {
        event.toolText += asString(asObject(asObject(raw)?.function)?.arguments);
      }
    }
    const usage = toCohereUsage(payload.usage);
    if (usage !== undefined) event.usage = usage;
    const error = readGenerationError(payload);
    if (error !== undefined) event.error = error;
    emit(event);
  }
}
