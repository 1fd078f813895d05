import {
  type StreamErrorPayload,
  type StreamEvent,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import { asObject, asString, type JsonObject, readGoogleError } from './gemini-payload.js';
import { toGeminiUsage } from './gemini-usage.js';

/** What one `GenerateContentResponse` says, read from its first candidate. */
export interface GeminiResponseContent {
  /** Its text, reasoning and tool text, usage and error, as one event. */
  event: StreamEvent;
  /** `candidates[0].finishReason` ('' while the candidate is still generating). */
  finishReason: string;
  /** `candidates[0].finishMessage`, when Gemini explains the finish reason. */
  finishMessage: string;
  /** `promptFeedback.blockReason`: the prompt was refused and there is no candidate. */
  blockReason: string;
  /** `promptFeedback.blockReasonMessage`, when given. */
  blockMessage: string;
}

/**
 * Reads a `GenerateContentResponse` (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse):
 * the parts of `candidates[0].content` give the text (`thought: true` parts are reasoning;
 * `functionCall.args` and `executableCode.code` are tool text; `thoughtSignature` is never
 * text), `usageMetadata` the usage, `error` a server error. Only the first candidate is
 * read: a benchmark asks for one.
 */
export function readGenerateContentResponse(payload: JsonObject): GeminiResponseContent {
  const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
  const result: GeminiResponseContent = {
    event,
    finishReason: '',
    finishMessage: '',
    blockReason: '',
    blockMessage: '',
  };
  const error = readGoogleError(payload);
  if (error !== undefined) event.error = error;
  const candidate = Array.isArray(payload.candidates) ? asObject(payload.candidates[0]) : undefined;
  if (candidate !== undefined) {
    const parts = asObject(candidate.content)?.parts;
    if (Array.isArray(parts)) {
      for (const raw of parts) {
        const part = asObject(raw);
        if (part === undefined) continue;
        if (typeof part.text === 'string') {
          if (part.thought === true) event.reasoningText += part.text;
          else event.text += part.text;
        }
        const call = asObject(part.functionCall);
        // A call with no arguments still is generated output: its args are `{}`.
        if (call !== undefined) event.toolText += JSON.stringify(call.args ?? {});
        const code = asObject(part.executableCode);
        if (code !== undefined) event.toolText += asString(code.code);
      }
    }
    result.finishReason = asString(candidate.finishReason);
    result.finishMessage = asString(candidate.finishMessage);
  }
  const feedback = asObject(payload.promptFeedback);
  if (feedback !== undefined) {
    result.blockReason = asString(feedback.blockReason);
    result.blockMessage = asString(feedback.blockReasonMessage);
  }
  const usage = toGeminiUsage(payload.usageMetadata);
  if (usage !== undefined) event.usage = usage;
  return result;
}

/**
 * The error a response that ended without any generated text is reported as, so the
 * record says why instead of counting an empty success: the prompt was blocked
 * (`promptFeedback.blockReason`), or generation stopped for a reason other than STOP
 * (SAFETY, RECITATION, PROHIBITED_CONTENT, MALFORMED_FUNCTION_CALL, MAX_TOKENS spent on
 * hidden thinking, ...). Undefined when the response ended normally.
 */
export function stoppedWithoutOutput(
  content: GeminiResponseContent,
): StreamErrorPayload | undefined {
  // Any block reason, BLOCK_REASON_UNSPECIFIED included, ends the response without output.
  if (content.blockReason !== '') {
    const detail = content.blockMessage === '' ? '' : `: ${content.blockMessage}`;
    return {
      message: truncateErrorMessage(
        `Gemini blocked the prompt (promptFeedback.blockReason ${content.blockReason})${detail}`,
      ),
      type: 'blockReason',
      code: content.blockReason,
    };
  }
  const reason = content.finishReason;
  if (reason === '' || reason === 'STOP') return undefined;
  const detail = content.finishMessage === '' ? '' : `: ${content.finishMessage}`;
  const hint =
    reason === 'MAX_TOKENS'
      ? ' (thinking used the whole output limit: raise max_tokens or lower the thinking budget)'
      : '';
  return {
    message: truncateErrorMessage(
      `Gemini stopped before any output (finishReason ${reason})${detail}${hint}`,
    ),
    type: 'finishReason',
    code: reason,
  };
}
