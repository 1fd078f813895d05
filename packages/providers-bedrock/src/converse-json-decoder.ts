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
import { serverTimings, toConverseUsage } from './bedrock-usage.js';

// Body: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html

/**
 * Decodes a Converse (non-streaming) body: at the end, one event with the text, reasoning
 * and tool input of every content block of `output.message`, the usage, and
 * `metrics.latencyMs` as the server timing `latency_ms`.
 */
export class ConverseJsonDecoder implements ResponseDecoder {
  readonly expectedContentType = 'application/json';
  readonly #body: BodyBuffer;
  #isComplete = false;

  constructor(options: DecoderOptions = {}) {
    this.#body = new BodyBuffer('a Bedrock Converse response body', options.maxEventBytes);
  }

  /** The body parsed as a Converse response with an `output.message.content` list. */
  get sawEndMarker(): boolean {
    return this.#isComplete;
  }

  push(chunk: Uint8Array, _emit?: (event: StreamEvent) => void): void {
    this.#body.push(chunk);
  }

  end(emit: (event: StreamEvent) => void): void {
    const body = this.#body.take();
    const payload = parseObject(body, 'a Bedrock Converse response body');
    const content = asObject(asObject(payload.output)?.message)?.content;
    if (!Array.isArray(content)) {
      throw protocolError(
        `a Bedrock Converse response body has no "output.message.content" list: ${JSON.stringify(body.slice(0, SNIPPET_CHARS))}`,
      );
    }
    this.#isComplete = true;
    const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
    for (const raw of content) {
      const block = asObject(raw);
      if (block === undefined) continue;
      event.text += asString(block.text);
      event.reasoningText += asString(
        asObject(asObject(block.reasoningContent)?.reasoningText)?.text,
      );
      const toolUse = asObject(block.toolUse);
      if (toolUse?.input !== undefined) event.toolText += JSON.stringify(toolUse.input);
    }
    const usage = toConverseUsage(payload.usage);
    if (usage !== undefined) event.usage = usage;
    const metrics = asObject(payload.metrics);
    const timings = metrics && serverTimings(metrics, { latencyMs: 'latency_ms' });
    if (timings !== undefined) event.serverTimings = timings;
    emit(event);
  }
}
