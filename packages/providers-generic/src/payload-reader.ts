import {
  LensProviderError,
  type StreamErrorPayload,
  type StreamEvent,
  tokenCountProblem,
  truncateErrorMessage,
  type Usage,
} from '@llm-lens/providers-core';
import type { SelectorSettings, UsageConvention } from './generic-settings.js';
import { JsonSelector } from './json-selector.js';

/** Characters of a malformed payload quoted in an error message. */
const SNIPPET_CHARS = 120;

/** The selectors of an entry, each parsed once. */
export interface CompiledSelectors {
  readonly text: JsonSelector;
  readonly reasoningText?: JsonSelector;
  readonly toolText?: JsonSelector;
  readonly inputTokens?: JsonSelector;
  readonly outputTokens?: JsonSelector;
  readonly reasoningTokens?: JsonSelector;
  readonly cachedInputTokens?: JsonSelector;
  readonly error?: JsonSelector;
  readonly done?: JsonSelector;
}

/** Parses every selector of `settings`; throws a SelectorSyntaxError for a bad one. */
export function compileSelectors(settings: SelectorSettings): CompiledSelectors {
  const compiled: {
    -readonly [key in keyof CompiledSelectors]: CompiledSelectors[key];
  } = { text: JsonSelector.parse(settings.text) };
  const set = <K extends Exclude<keyof CompiledSelectors, 'text'>>(
    key: K,
    path: string | undefined,
  ) => {
    if (path !== undefined) compiled[key] = JsonSelector.parse(path);
  };
  set('reasoningText', settings.reasoning_text);
  set('toolText', settings.tool_text);
  set('inputTokens', settings.usage?.input_tokens);
  set('outputTokens', settings.usage?.output_tokens);
  set('reasoningTokens', settings.usage?.reasoning_tokens);
  set('cachedInputTokens', settings.usage?.cached_input_tokens);
  set('error', settings.error);
  set('done', settings.done);
  return compiled;
}

/** Parses one JSON payload of a response, or throws a protocol error quoting its start. */
export function parsePayload(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LensProviderError(
      'LENS_PROVIDER_PROTOCOL',
      `malformed JSON in ${what}: ${JSON.stringify(text.slice(0, SNIPPET_CHARS))}`,
      { errorClass: 'protocol', cause },
    );
  }
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '';
}

/**
 * What the `error` selector found, as a stream error: a string is the message; an object
 * gives its `message` (else `error`, else the object as JSON), `type` and `code`.
 */
export function toErrorPayload(value: unknown, path: string): StreamErrorPayload {
  if (typeof value === 'string') return { message: truncateErrorMessage(value) };
  if (value === null || typeof value !== 'object') {
    return { message: `the server reported an error (${path} is ${JSON.stringify(value)})` };
  }
  const record = value as Record<string, unknown>;
  const text =
    typeof record.message === 'string' && record.message !== ''
      ? record.message
      : typeof record.error === 'string' && record.error !== ''
        ? record.error
        : JSON.stringify(value);
  const payload: StreamErrorPayload = { message: truncateErrorMessage(text) };
  if (typeof record.type === 'string') payload.type = truncateErrorMessage(record.type);
  if (typeof record.code === 'string') payload.code = truncateErrorMessage(record.code);
  else if (typeof record.code === 'number') payload.code = record.code;
  return payload;
}

/** The error the `error` selector finds in `payload`, if any. */
export function selectError(
  selectors: CompiledSelectors,
  payload: unknown,
): StreamErrorPayload | undefined {
  const selector = selectors.error;
  if (selector === undefined) return undefined;
  const value = selector.value(payload);
  return isPresent(value) ? toErrorPayload(value, selector.path) : undefined;
}

type CountName = 'input' | 'output' | 'reasoning' | 'cached';

/**
 * Reads StreamEvents out of parsed payloads with an entry's selectors. Usage fields found in
 * different payloads are merged (input counts often come first, output counts last), and
 * every payload that carries one emits the merged report, so the last report is complete.
 * One reader per response.
 */
export class PayloadReader {
  readonly #selectors: CompiledSelectors;
  readonly #excludesReasoning: boolean;
  readonly #counts: { [name in CountName]?: number } = {};
  #ignoredReason: string | undefined;
  #sawDone = false;

  constructor(selectors: CompiledSelectors, usageConvention: UsageConvention) {
    this.#selectors = selectors;
    this.#excludesReasoning = usageConvention === 'output_excludes_reasoning';
  }

  /** Whether a payload's `done` selector matched a truthy value. */
  get sawDone(): boolean {
    return this.#sawDone;
  }

  /** The event `payload` carries, or undefined when it carries nothing (role-only, ping). */
  read(payload: unknown): StreamEvent | undefined {
    const selectors = this.#selectors;
    const text = selectors.text.text(payload);
    const reasoningText = selectors.reasoningText?.text(payload) ?? '';
    const toolText = selectors.toolText?.text(payload) ?? '';
    const usage = this.#readUsage(payload);
    const error = selectError(selectors, payload);
    if (selectors.done?.isTruthy(payload) === true) this.#sawDone = true;
    if (
      text.length === 0 &&
      reasoningText.length === 0 &&
      toolText.length === 0 &&
      usage === undefined &&
      error === undefined
    ) {
      return undefined;
    }
    const event: StreamEvent = { text, reasoningText, toolText };
    if (usage !== undefined) event.usage = usage;
    if (error !== undefined) event.error = error;
    return event;
  }

  #readUsage(payload: unknown): Usage | undefined {
    const selectors = this.#selectors;
    // Every count is read, even after one was found: each may update the merged report.
    const hasInput = this.#readCount('input', 'usage.input_tokens', selectors.inputTokens, payload);
    const hasOutput = this.#readCount(
      'output',
      'usage.output_tokens',
      selectors.outputTokens,
      payload,
    );
    const hasReasoning = this.#readCount(
      'reasoning',
      'usage.reasoning_tokens',
      selectors.reasoningTokens,
      payload,
    );
    const hasCached = this.#readCount(
      'cached',
      'usage.cached_input_tokens',
      selectors.cachedInputTokens,
      payload,
    );
    if (!(hasInput || hasOutput || hasReasoning || hasCached)) return undefined;
    // One count that is not a token count makes the whole report untrustworthy, for the rest
    // of the response: the run then counts tokens itself and says why.
    if (this.#ignoredReason !== undefined) return { ignoredReason: this.#ignoredReason };
    const { input, output, reasoning, cached } = this.#counts;
    const usage: Usage = {};
    if (input !== undefined) usage.inputTokens = input;
    if (output !== undefined) {
      usage.outputTokens = output;
      if (this.#excludesReasoning && reasoning !== undefined && reasoning > 0) {
        usage.outputTokens = output + reasoning;
        usage.reportedOutputTokens = output;
      }
    }
    if (reasoning !== undefined) usage.reasoningTokens = reasoning;
    if (cached !== undefined) usage.cachedInputTokens = cached;
    return usage;
  }

  /** Reads one count into the merged report; whether the payload had it. */
  #readCount(
    name: CountName,
    field: string,
    selector: JsonSelector | undefined,
    payload: unknown,
  ): boolean {
    if (selector === undefined) return false;
    const value = selector.value(payload);
    if (value === undefined) return false;
    const problem = tokenCountProblem(`${field} (${selector.path})`, value);
    if (problem !== undefined) {
      this.#ignoredReason ??= `usage ignored: ${problem}`;
    } else {
      this.#counts[name] = value as number;
    }
    return true;
  }
}
