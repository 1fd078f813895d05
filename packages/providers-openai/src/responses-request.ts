import type { ProviderRequestInput } from '@llm-lens/providers-core';

/**
 * The body of `POST {base}/responses`: `model`, `input`, `stream`, `max_output_tokens` and
 * `temperature` when given, then `extraBody` merged last, shallowly. A string prompt is sent
 * as the `input` string; a message list as input messages in order, system messages as
 * `system`-role items (the API accepts them in `input`; `instructions` would move them out of
 * the conversation's order). Usage needs no option: `response.completed` always carries it.
 */
export function buildResponsesBody(input: ProviderRequestInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: input.model,
    input:
      typeof input.prompt === 'string'
        ? input.prompt
        : input.prompt.map((message) => ({ role: message.role, content: message.content })),
    stream: input.stream,
  };
  if (input.maxTokens !== undefined) body.max_output_tokens = input.maxTokens;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}
