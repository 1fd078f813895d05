import {
  BodyBuffer,
  type DecoderOptions,
  LensProviderError,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import { asObject, asString, parseObject, readError, SNIPPET_CHARS } from './anthropic-payload.js';
import { toAnthropicUsage } from './anthropic-usage.js';

/**
 * Decodes a non-streaming Anthropic Messages body: at the end, one event with the text,
 * thinking and tool input of every content block, and the usage.
 */
export class AnthropicJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('an Anthropic response body', options.maxEventBytes);
  }

  /** The body parsed as a message with a `content` list. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const payload = parseObject(body, 'an Anthropic response body');
    const error = readError(payload);
    if (error !== undefined) {
      emit({ text: '', reasoningText: '', toolText: '', error });
      return;
    }
    if (!Array.isArray(payload.content)) {
      throw new LensProviderError(
        'LENS_PROVIDER_PROTOCOL',
        `an Anthropic response body has no "content" list: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
        { errorClass: 'protocol' },
      );
    }
    this.#isComplete = true;
    const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
    for (const raw of payload.content) {
      const block = asObject(raw);
      if (block?.type === 'text') event.text += asString(block.text);
      else if (block?.type === 'thinking') event.reasoningText += asString(block.thinking);
      else if (block?.type === 'tool_use' && block.input !== undefined) {
        event.toolText += JSON.stringify(block.input);
      }
    }
    const usage = toAnthropicUsage(payload.usage);
    if (usage !== undefined) event.usage = usage;
    emit(event);
  }
}
