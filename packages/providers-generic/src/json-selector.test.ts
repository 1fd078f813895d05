import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { JsonSelector, SelectorSyntaxError } from './json-selector.js';

const chunk = {
  id: 'chatcmpl-1',
  choices: [{ index: 0, delta: { content: 'Hel', reasoning_content: null }, finish_reason: null }],
  usage: { prompt_tokens: 6, completion_tokens: 0 },
  parts: [{ text: 'a' }, { thought: true, text: 'b' }, { text: 'c' }, { image: 1 }],
  'dotted.key': { 'with space': 'x' },
  constructor: 'own',
  done: false,
};

function reference(path: string, json: unknown): unknown[] {
  return JSONPath({ path, json: json as object, eval: false, wrap: true }) as unknown[];
}

describe('JsonSelector', () => {
  it.each([
    ['$.choices[0].delta.content', true],
    ["$['dotted.key']['with space']", true],
    ['$.usage.prompt_tokens', true],
    ['$', true],
    ['$.parts[*].text', false],
    ['$..text', false],
    ['$.parts[0:2].text', false],
    ['$.parts[0,2].text', false],
    ['$.choices.*', false],
  ])('reads %s by the direct walk: %s', (path, isPlain) => {
    expect(JsonSelector.parse(path).isPlain).toBe(isPlain);
  });

  it.each([
    '$.choices[0].delta.content',
    '$.choices[0].delta.reasoning_content',
    '$.choices[1].delta.content',
    '$.usage.prompt_tokens',
    '$.usage.missing.deeper',
    "$['dotted.key']['with space']",
    '$.id[0]',
    '$.id.length',
    '$.constructor',
    '$.usage.constructor',
    '$.usage.toString',
    '$.usage.valueOf',
    '$.choices.length',
    "$['__proto__']",
    '$.done',
    '$.parts[*].text',
    '$..text',
    '$.parts[1:].text',
    '$.parts[0,2].text',
  ])('reads %s exactly as jsonpath-plus does', (path) => {
    const selector = JsonSelector.parse(path);
    const expected = reference(path, chunk).find((match) => match !== null && match !== undefined);
    expect(selector.value(chunk)).toEqual(expected);
  });

  it('joins every string match of a wildcard in document order and skips other values', () => {
    expect(JsonSelector.parse('$.parts[*].text').text(chunk)).toBe('abc');
    expect(JsonSelector.parse('$.parts[*]').text(chunk)).toBe('');
    expect(JsonSelector.parse('$.usage.prompt_tokens').text(chunk)).toBe('');
  });

  it('never follows prototype members such as constructor or toString', () => {
    expect(JsonSelector.parse('$.usage.constructor').value(chunk)).toBeUndefined();
    expect(JsonSelector.parse('$.usage.toString').value({ usage: {} })).toBeUndefined();
    expect(JsonSelector.parse('$.constructor').value(chunk)).toBe('own');
  });

  it('treats null as absent and reads truthiness of every match', () => {
    expect(JsonSelector.parse('$.choices[0].delta.reasoning_content').value(chunk)).toBeUndefined();
    expect(JsonSelector.parse('$.done').isTruthy(chunk)).toBe(false);
    expect(JsonSelector.parse('$.done').isTruthy({ done: true })).toBe(true);
    expect(JsonSelector.parse('$.parts[*].thought').isTruthy(chunk)).toBe(true);
    expect(JsonSelector.parse('$.parts[*].missing').isTruthy(chunk)).toBe(false);
  });

  it('reads nothing from documents that are not objects', () => {
    for (const document of [null, 0, '', false, 'text', 42]) {
      expect(JsonSelector.parse('$.a.b').value(document)).toBeUndefined();
      expect(JsonSelector.parse('$..b').value(document)).toBeUndefined();
    }
  });

  it.each([
    ['choices[0]', 'must start with $'],
    ['$.a[', 'cannot read "[" at character 4'],
    ['$.choices[0]delta', 'cannot read "delta" at character 13'],
    ['$.a[?(@.x == 1)]', 'filter and script expressions'],
    ['$.a[(@.length-1)]', 'filter and script expressions'],
    ['$.a[-1]', 'negative index [-1] is not supported; write [-1:]'],
    ['$.a.^', 'operators ~ (property name), ^ (parent)'],
    ['$.a[ 0 ]', 'cannot read "[ 0 ]"'],
    ["$['a','b']", `cannot read "['a','b']"`],
    ['$..', 'cannot read ".."'],
  ])('refuses %s', (path, message) => {
    expect(() => JsonSelector.parse(path)).toThrow(SelectorSyntaxError);
    expect(() => JsonSelector.parse(path)).toThrow(message);
  });
});
