// Per-event selector cost on a realistic OpenAI-style chunk: `vitest bench --run` in this
// package. The numbers are recorded in the README ("Performance").
import { JSONPath } from 'jsonpath-plus';
import { bench, describe } from 'vitest';
import { JsonSelector } from '../src/json-selector.js';
import { compileSelectors, PayloadReader } from '../src/payload-reader.js';

const chunkText =
  '{"id":"chatcmpl-7f3a9c","object":"chat.completion.chunk","created":1733000000,' +
  '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,' +
  '"delta":{"content":" tokens"},"logprobs":null,"finish_reason":null}],"usage":null,' +
  '"obfuscation":"k2Xv9"}';
const chunk: unknown = JSON.parse(chunkText);
const path = '$.choices[0].delta.content';

const direct = JsonSelector.parse(path);
// What JsonSelector does for a path with a wildcard, filter-free: one reused evaluator.
const evaluator = JSONPath({
  autostart: false,
  eval: false,
  wrap: true,
  resultType: 'value',
  path: '$',
  json: null,
});
const wildcard = JsonSelector.parse('$.choices[*].delta.content');

const openAiSelectors = compileSelectors({
  text: '$.choices[0].delta.content',
  reasoning_text: '$.choices[0].delta.reasoning_content',
  tool_text: '$.choices[0].delta.tool_calls[0].function.arguments',
  usage: {
    input_tokens: '$.usage.prompt_tokens',
    output_tokens: '$.usage.completion_tokens',
    reasoning_tokens: '$.usage.completion_tokens_details.reasoning_tokens',
    cached_input_tokens: '$.usage.prompt_tokens_details.cached_tokens',
  },
  error: '$.error',
});
const reader = new PayloadReader(openAiSelectors, 'output_includes_reasoning');

let sink: unknown;

// Each sample runs the operation this many times: one call of the direct walk takes less
// time than tinybench's own per-sample overhead, which would otherwise be what is measured.
// ns per operation = 1e9 / (hz × OPS_PER_SAMPLE).
const OPS_PER_SAMPLE = 1000;

/** Long runs: the numbers come from a shared machine. */
const options = { time: 2000, warmupTime: 500 };

function repeat(operation: () => unknown): () => void {
  return () => {
    for (let i = 0; i < OPS_PER_SAMPLE; i++) sink = operation();
  };
}

describe('one selector, one chunk', () => {
  bench(
    'direct walk: JsonSelector.text($.choices[0].delta.content)',
    repeat(() => direct.text(chunk)),
    options,
  );
  bench(
    'jsonpath-plus evaluate, eval: false, same path',
    repeat(() => evaluator.evaluate(path, chunk as object, undefined, undefined)),
    options,
  );
  bench(
    'JsonSelector.text($.choices[*].delta.content) (wildcard: jsonpath-plus)',
    repeat(() => wildcard.text(chunk)),
    options,
  );
});

describe('a whole event', () => {
  bench(
    'JSON.parse of the chunk (for scale)',
    repeat(() => JSON.parse(chunkText)),
    options,
  );
  bench(
    'PayloadReader.read: 8 plain selectors',
    repeat(() => reader.read(chunk)),
    options,
  );
});

export { sink };
