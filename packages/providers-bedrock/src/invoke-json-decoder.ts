import {
  BodyBuffer,
  type DecoderOptions,
  type ResponseDecoder,
  type StreamEvent,
} from '@llm-lens/providers-core';
import {
  asObject,
  asString,
  parseObject,
  protocolError,
  SNIPPET_CHARS,
} from './bedrock-payload.js';
import { toAnthropicUsage } from './bedrock-usage.js';

/**
 * Decodes an InvokeModel (non-streaming) body of an Anthropic model, an Anthropic message:
 * at the end, one event with the text, thinking and tool input of every content block, and
 * the usage. (Bedrock's latency for it travels in response headers, which decoders do not
 * see.)
 */
export class InvokeJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('a Bedrock InvokeModel response body', options.maxEventBytes);
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
    const payload = parseObject(body, 'a Bedrock InvokeModel response body');
    if (!Array.isArray(payload.content)) {
      throw protocolError(
        `a Bedrock InvokeModel response body has no "content" list (is the model an Anthropic one? api: invoke reads Anthropic messages): ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
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
