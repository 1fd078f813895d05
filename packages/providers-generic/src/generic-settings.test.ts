// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${VAR} references under test, not template mistakes
import { formatPath } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { genericSettingsSchema } from './generic-settings.js';

const valid = {
  url: 'https://api.example.test/v1/models/{{model}}/generate',
  body: { model: '{{model}}', prompt: '{{prompt}}' },
  framing: 'sse',
  selectors: { text: '$.token.text' },
};

/** Every issue as `path: message`, the way the config package prints them. */
function problems(settings: Record<string, unknown>): string[] {
  const result = genericSettingsSchema.safeParse(settings);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

describe('genericSettingsSchema', () => {
  it('applies the defaults: POST, and output tokens that include reasoning', () => {
    expect(genericSettingsSchema.parse(valid)).toEqual({
      ...valid,
      method: 'POST',
      usage_convention: 'output_includes_reasoning',
    });
    expect(genericSettingsSchema.parse({ ...valid, method: 'get', body: undefined }).method).toBe(
      'GET',
    );
  });

  it('names each missing field and what is valid', () => {
    expect(problems({})).toEqual([
      'url: is required (an http:// or https:// URL, where {{model}} stands for the model id)',
      'framing: is required (one of sse | ndjson | json)',
      'selectors: is required (an object of JSONPath selectors with at least text (e.g. {text: $.choices[0].delta.content}))',
      'body: is required with method POST (a JSON object template, such as {model: "{{model}}", messages: "{{messages}}", stream: "{{stream}}"})',
    ]);
    expect(problems({ ...valid, selectors: {} })).toEqual([
      'selectors.text: is required (a JSONPath such as $.choices[0].delta.content)',
    ]);
  });

  it('reports bad values with what would be valid', () => {
    expect(
      problems({
        ...valid,
        url: 'ftp://host/{{model}}',
        method: 'PUT',
        framing: 'ndjosn',
        usage_convention: 'sometimes',
      }),
    ).toEqual([
      'url: must be an http:// or https:// URL, where {{model}} stands for the model id, got "ftp://host/{{model}}"',
      'method: must be one of POST | GET, got "PUT"',
      'framing: must be one of sse | ndjson | json, got "ndjosn" (did you mean "ndjson"?)',
      'usage_convention: must be one of output_includes_reasoning | output_excludes_reasoning, got "sometimes"',
    ]);
  });

  it('allows only {{model}} in the URL', () => {
    expect(problems({ ...valid, url: 'https://h/{{model}}?p={{prompt}}&x={{modle}}' })).toEqual([
      'url: unknown template variable {{modle}} (did you mean {{model}}?); valid here: {{model}}',
    ]);
    expect(problems({ ...valid, url: 'https://h/{{model}}?p={{prompt}}' })).toEqual([
      'url: unknown template variable {{prompt}}; valid here: {{model}}',
    ]);
  });

  it('reports unknown body variables at their place in the body', () => {
    expect(
      problems({ ...valid, body: { input: { text: 'Q: {{promt}}' }, n: '{{max_tokens}}' } }),
    ).toEqual([
      'body.input.text: unknown template variable {{promt}} (did you mean {{prompt}}?); valid here: {{prompt}}, {{messages}}, {{model}}, {{max_tokens}}, {{temperature}}, {{stream}}',
    ]);
    expect(problems({ ...valid, body: ['{{prompt}}'] })).toEqual([
      'body: must be a JSON object: the request body template, such as {model: "{{model}}", messages: "{{messages}}"}, got a list',
    ]);
  });

  it('reports bad selectors at their key with the reason', () => {
    expect(
      problems({
        ...valid,
        selectors: {
          text: 'choices[0].text',
          reasoning_text: '$.a[?(@.thought)].text',
          usage: { output_tokens: '$.usage[-1]', input: '$.x' },
          done: 7,
        },
      }),
    ).toEqual([
      'selectors.text: must start with $ (a JSONPath such as $.choices[0].delta.content, $.parts[*].text or $..text)',
      'selectors.reasoning_text: filter and script expressions ([?(...)], [(...)]) are not supported: script evaluation is off, since a config file may come from anywhere; select with an index, [*] or .. instead',
      'selectors.usage.output_tokens: negative index [-1] is not supported; write [-1:] for the last elements',
      'selectors.usage.input: unknown key; valid keys here: input_tokens, output_tokens, reasoning_tokens, cached_input_tokens',
      'selectors.done: must be a JSONPath such as $.done, got 7',
    ]);
  });

  it('ties the body to the method and the SSE settings to framing sse', () => {
    expect(problems({ ...valid, method: 'GET' })).toEqual([
      'body: cannot be sent with method GET; remove body, or set method: POST',
    ]);
    expect(problems({ ...valid, body: undefined })).toEqual([
      'body: is required with method POST (a JSON object template, such as {model: "{{model}}", messages: "{{messages}}", stream: "{{stream}}"})',
    ]);
    expect(
      problems({
        ...valid,
        framing: 'ndjson',
        done_data: '[DONE]',
        done_event: 'stop',
        event_filter: ['delta'],
      }),
    ).toEqual([
      'done_data: applies to framing sse only, not to framing ndjson',
      'done_event: applies to framing sse only, not to framing ndjson',
      'event_filter: applies to framing sse only, not to framing ndjson',
    ]);
    expect(problems({ ...valid, event_filter: [] })).toEqual([
      'event_filter: must be a non-empty list of SSE event names, such as [content_block_delta, message_delta, error], got []',
    ]);
  });

  it('needs a reasoning count to add back when output tokens exclude reasoning', () => {
    expect(problems({ ...valid, usage_convention: 'output_excludes_reasoning' })).toEqual([
      'usage_convention: output_excludes_reasoning needs selectors.usage.reasoning_tokens, the count that is added back to the output tokens',
    ]);
  });

  it('never quotes a secret header value, and checks header names', () => {
    const messages = problems({
      ...valid,
      secret_headers: { 'X-Plain': 12345, 'Bad Name': 'sk-secret-value', Auth: 'a\nb' },
    });
    expect(messages).toEqual([
      'secret_headers.X-Plain: must be a string (value hidden), such as "Bearer ${MY_API_KEY}"',
      'secret_headers.Auth: must not contain line breaks or NUL (value hidden)',
      'secret_headers["Bad Name"]: is not a valid HTTP header name (letters, digits and !#$%&\'*+-.^_`|~ only)',
    ]);
    expect(messages.join('\n')).not.toContain('12345');
    expect(messages.join('\n')).not.toContain('sk-secret-value');
  });

  it('refuses unknown keys with a suggestion', () => {
    expect(problems({ ...valid, done_dta: '[DONE]' })).toEqual([
      'done_dta: unknown key, did you mean "done_data"?',
    ]);
  });
});
