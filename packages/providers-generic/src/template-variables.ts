import { closestMatch } from '@llm-lens/config-fields';
import type { ChatMessage, ProviderRequestInput } from '@llm-lens/providers-core';

/** The variables a body template may use, each `{{name}}`. */
export const TEMPLATE_VARIABLES = [
  'prompt',
  'messages',
  'model',
  'max_tokens',
  'temperature',
  'stream',
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What the variables of one request stand for; an absent one has no value. */
export type TemplateValues = {
  readonly [name in TemplateVariable]?: string | number | boolean | readonly ChatMessage[];
};

/** One piece of a template string: literal text, or a variable to put in its place. */
export type TextPart = string | { readonly variable: TemplateVariable };

/** A template string split into its pieces. */
export interface ParsedText {
  readonly parts: readonly TextPart[];
  /** Names inside `{{ }}` that are not template variables, as written. */
  readonly unknown: readonly string[];
}

const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isTemplateVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Splits `text` at its `{{name}}` references. */
export function parseTemplateText(text: string): ParsedText {
  const parts: TextPart[] = [];
  const unknown: string[] = [];
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1] ?? '';
    if (match.index > last) parts.push(text.slice(last, match.index));
    if (isTemplateVariable(name)) parts.push({ variable: name });
    else {
      unknown.push(name);
      parts.push(match[0]);
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return { parts, unknown };
}

/** The message for unknown variable names, with a suggestion and the valid ones. */
export function unknownVariablesMessage(
  unknown: readonly string[],
  valid: readonly TemplateVariable[] = TEMPLATE_VARIABLES,
): string {
  const names = unknown.map((name) => {
    const guess = closestMatch(name, valid);
    return guess === undefined ? `{{${name}}}` : `{{${name}}} (did you mean {{${guess}}}?)`;
  });
  const noun = names.length === 1 ? 'variable' : 'variables';
  return `unknown template ${noun} ${names.join(', ')}; valid here: ${valid.map((name) => `{{${name}}}`).join(', ')}`;
}

/** The prompt as plain text: a message list's contents, one after another. */
function promptText(prompt: ProviderRequestInput['prompt']): string {
  return typeof prompt === 'string'
    ? prompt
    : prompt.map((message) => message.content).join('\n\n');
}

/** The prompt as chat messages: a plain prompt is one user message. */
function promptMessages(prompt: ProviderRequestInput['prompt']): readonly ChatMessage[] {
  return typeof prompt === 'string'
    ? [{ role: 'user', content: prompt }]
    : prompt.map((message) => ({ role: message.role, content: message.content }));
}

/** The values of one request's template variables; unset limits have none. */
export function templateValues(input: ProviderRequestInput): TemplateValues {
  return {
    prompt: promptText(input.prompt),
    messages: promptMessages(input.prompt),
    model: input.model,
    stream: input.stream,
    ...(input.maxTokens === undefined ? {} : { max_tokens: input.maxTokens }),
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
  };
}

/** A value as text inside a longer string: messages as JSON, the rest as written. */
export function valueAsText(value: NonNullable<TemplateValues[TemplateVariable]>): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
