import type { ProviderRequestInput } from '@llm-lens/providers-core';
import { asObject } from './gemini-payload.js';

/**
 * The `GenerateContentRequest` body (https://ai.google.dev/api/generate-content#request-body):
 * user and assistant messages become `contents` with roles `user` and `model`, system
 * messages `systemInstruction` (joined with a blank line), the output limit and temperature
 * `generationConfig.maxOutputTokens` and `.temperature`. A provider's `options` are merged
 * last; an object given for a key that is an object here (`generationConfig`) is merged into
 * it key by key, so `{generationConfig: {thinkingConfig: {...}}}` keeps the output limit.
 */
export function buildGeminiBody(input: ProviderRequestInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (typeof input.prompt === 'string') {
    body.contents = [{ role: 'user', parts: [{ text: input.prompt }] }];
  } else {
    const system = input.prompt.filter((m) => m.role === 'system').map((m) => m.content);
    body.contents = input.prompt
      .filter((m) => m.role !== 'system')
      .map((m) => ({
        role: m.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: m.content }],
      }));
    if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  }
  const generationConfig: Record<string, unknown> = {};
  if (input.maxTokens !== undefined) generationConfig.maxOutputTokens = input.maxTokens;
  if (input.temperature !== undefined) generationConfig.temperature = input.temperature;
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  for (const [key, value] of Object.entries(input.extraBody ?? {})) {
    const ours = asObject(body[key]);
    const theirs = asObject(value);
    body[key] = ours !== undefined && theirs !== undefined ? { ...ours, ...theirs } : value;
  }
  return body;
}
