// biome-ignore-all lint/suspicious/noTemplateCurlyInString: messages show users the ${VAR} reference they may write
import {
  expecting,
  listOf,
  mapOf,
  nullAsAbsent,
  oneOf,
  strictObject,
  text,
  z,
} from '@llm-lens/config-fields';
import type { ProviderSettings } from '@llm-lens/providers-core';
import { BodyTemplate, type JsonObject } from './body-template.js';
import { JsonSelector, SelectorSyntaxError } from './json-selector.js';
import { parseTemplateText, unknownVariablesMessage } from './template-variables.js';

/** How the response body is cut into payloads. */
export type Framing = 'sse' | 'ndjson' | 'json';

/**
 * Whether the server's output token count includes reasoning tokens. Ours always does
 * (`Usage.outputTokens` is visible + reasoning), so when the server's does not, the reasoning
 * count is added to it.
 */
export type UsageConvention = 'output_includes_reasoning' | 'output_excludes_reasoning';

/** The usage selectors of an entry. */
export interface UsageSelectorSettings {
  input_tokens?: string;
  output_tokens?: string;
  reasoning_tokens?: string;
  cached_input_tokens?: string;
}

/** The JSONPath selectors of an entry, applied to every event, line or body. */
export interface SelectorSettings {
  text: string;
  reasoning_text?: string;
  tool_text?: string;
  usage?: UsageSelectorSettings;
  error?: string;
  done?: string;
}

/** The settings `type: generic` adds to a provider entry, validated, defaults applied. */
export interface GenericSettings {
  url: string;
  method: 'POST' | 'GET';
  secret_headers?: Record<string, string>;
  body?: JsonObject;
  framing: Framing;
  selectors: SelectorSettings;
  done_data?: string;
  done_event?: string;
  event_filter?: string[];
  usage_convention: UsageConvention;
}

const URL_WHAT = 'an http:// or https:// URL, where {{model}} stands for the model id';

/** `{{model}}` is the only variable of a URL: the others belong in the body. */
function urlProblem(url: string): string | undefined {
  const { parts, unknown } = parseTemplateText(url);
  if (unknown.length > 0) return unknownVariablesMessage(unknown, ['model']);
  const others = parts.flatMap((part) =>
    typeof part !== 'string' && part.variable !== 'model' ? [part.variable] : [],
  );
  if (others.length > 0) return unknownVariablesMessage(others, ['model']);
  const filled = parts.map((part) => (typeof part === 'string' ? part : 'model')).join('');
  if (!URL.canParse(filled)) return `must be ${URL_WHAT}, got ${JSON.stringify(url)}`;
  const { protocol } = new URL(filled);
  if (protocol !== 'http:' && protocol !== 'https:') {
    return `must be ${URL_WHAT}, got ${JSON.stringify(url)}`;
  }
  return undefined;
}

const urlSchema = z.string(expecting(URL_WHAT)).superRefine((url, ctx) => {
  const problem = urlProblem(url);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** A JSONPath selector, checked by parsing it as the adapter will. */
function selector(example: string) {
  return z.string(expecting(`a JSONPath such as ${example}`)).superRefine((path, ctx) => {
    try {
      JsonSelector.parse(path);
    } catch (error) {
      if (!(error instanceof SelectorSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });
}

const usageSelectorsSchema = strictObject(
  {
    input_tokens: selector('$.usage.prompt_tokens').optional(),
    output_tokens: selector('$.usage.completion_tokens').optional(),
    reasoning_tokens: selector('$.usage.completion_tokens_details.reasoning_tokens').optional(),
    cached_input_tokens: selector('$.usage.prompt_tokens_details.cached_tokens').optional(),
  },
  'an object of usage selectors (input_tokens, output_tokens, reasoning_tokens, cached_input_tokens)',
);

const selectorsSchema = strictObject(
  {
    text: selector('$.choices[0].delta.content'),
    reasoning_text: selector('$.choices[0].delta.reasoning_content').optional(),
    tool_text: selector('$.choices[0].delta.tool_calls[*].function.arguments').optional(),
    usage: z.preprocess(nullAsAbsent, usageSelectorsSchema.optional()),
    error: selector('$.error.message or $.error').optional(),
    done: selector('$.done').optional(),
  },
  'an object of JSONPath selectors with at least text (e.g. {text: $.choices[0].delta.content})',
);

// Cross-field and name checks run even when a value failed, so every problem is reported at once.
const always = { when: () => true };

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// Values are never quoted in messages: they are credentials.
const secretHeaderValue = z
  .string({ error: () => 'must be a string (value hidden), such as "Bearer ${MY_API_KEY}"' })
  .refine((value) => !/[\r\n\0]/.test(value), {
    message: 'must not contain line breaks or NUL (value hidden)',
  });

const secretHeadersSchema = mapOf(
  secretHeaderValue,
  'an object of header names to values, such as {Authorization: "Bearer ${MY_API_KEY}"}',
).superRefine((headers, ctx) => {
  if (headers === null || typeof headers !== 'object') return;
  for (const name of Object.keys(headers)) {
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
      });
    }
  }
}, always);

const bodySchema = z
  .record(
    z.string(),
    z.unknown(),
    expecting(
      'a JSON object: the request body template, such as {model: "{{model}}", messages: "{{messages}}"}',
    ),
  )
  .superRefine((body, ctx) => {
    for (const problem of BodyTemplate.problems(body)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
  });

const FRAMINGS = ['sse', 'ndjson', 'json'] as const;
const USAGE_CONVENTIONS = ['output_includes_reasoning', 'output_excludes_reasoning'] as const;

/** The keys `type: generic` adds to a provider entry. */
export const genericSettingsSchema = strictObject(
  {
    url: urlSchema,
    method: z
      .preprocess(
        (value) => (typeof value === 'string' ? value.toUpperCase() : value),
        oneOf(['POST', 'GET']),
      )
      .default('POST'),
    secret_headers: z.preprocess(nullAsAbsent, secretHeadersSchema.optional()),
    body: z.preprocess(nullAsAbsent, bodySchema.optional()),
    framing: oneOf(FRAMINGS),
    selectors: selectorsSchema,
    done_data: text('the data of the end-of-stream event, such as [DONE]').optional(),
    done_event: text('the event name that ends the stream, such as message_stop').optional(),
    event_filter: listOf(
      text('an event name'),
      'a non-empty list of SSE event names, such as [content_block_delta, message_delta, error]',
      true,
    ).optional(),
    usage_convention: oneOf(USAGE_CONVENTIONS).default('output_includes_reasoning'),
  },
  'an object of generic provider settings',
).superRefine((raw, ctx) => {
  if (raw === null || typeof raw !== 'object') return;
  const settings = raw as Partial<GenericSettings>;
  if (settings.method === 'GET' && settings.body !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['body'],
      message: 'cannot be sent with method GET; remove body, or set method: POST',
    });
  }
  if (settings.method === 'POST' && raw.body === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['body'],
      message:
        'is required with method POST (a JSON object template, such as {model: "{{model}}", messages: "{{messages}}", stream: "{{stream}}"})',
    });
  }
  if (settings.framing !== undefined && settings.framing !== 'sse') {
    for (const key of ['done_data', 'done_event', 'event_filter'] as const) {
      if (settings[key] === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `applies to framing sse only, not to framing ${settings.framing}`,
      });
    }
  }
  if (
    settings.usage_convention === 'output_excludes_reasoning' &&
    settings.selectors?.usage?.reasoning_tokens === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['usage_convention'],
      message:
        'output_excludes_reasoning needs selectors.usage.reasoning_tokens, the count that is added back to the output tokens',
    });
  }
}, always);

/** The generic settings of a validated provider entry (its schema made them so). */
export function genericSettingsOf(settings: ProviderSettings): GenericSettings {
  return settings as unknown as GenericSettings;
}
