import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonElement, scanJsonElements } from './json-elements.js';
import { WorkloadError } from './workload-error.js';

async function* chunksOf(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= start || cut >= bytes.length) continue;
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function scan(text: string, cuts: readonly number[] = []): Promise<JsonElement[]> {
  const out: JsonElement[] = [];
  for await (const element of scanJsonElements(chunksOf(Buffer.from(text), cuts), 'data.json'))
    out.push(element);
  return out;
}

async function failure(text: string): Promise<WorkloadError> {
  try {
    await scan(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError);
    return error as WorkloadError;
  }
  throw new Error('no error');
}

const ARRAY = `[
  {"id": "a", "text": "braces } ] inside \\" a string", "nested": {"list": [1, {"x": "é"}]}},
  {"id": "b", "emoji": "🙂 \\\\", "n": null}
]
`;

describe('scanJsonElements', () => {
  it('yields each object of an array with its index and starting line', async () => {
    const elements = await scan(ARRAY);
    expect(elements.map((e) => [e.index, e.line])).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(elements.map((e) => e.value)).toEqual(JSON.parse(ARRAY));
  });

  it('reads objects one after another (JSON Lines) the same way', async () => {
    const elements = await scan('{"a": 1}\n{"a": 2}\n\n{"a": [3]}\n');
    expect(elements.map((e) => e.value)).toEqual([{ a: 1 }, { a: 2 }, { a: [3] }]);
    expect(elements.map((e) => e.line)).toEqual([1, 2, 4]);
  });

  it('gives the same elements however the bytes are split', async () => {
    const bytes = Buffer.byteLength(ARRAY);
    const expected = await scan(ARRAY);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: bytes - 1 }), { maxLength: 12 }),
        async (cuts) => {
          expect(await scan(ARRAY, cuts)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads any array of objects exactly as JSON.parse does, split anywhere', async () => {
    // Strings made of what the scanner reacts to: quotes, escapes, brackets, multi-byte text.
    const tricky = fc.string({
      unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ':', '\n', 'é', '🙂', ' '),
      maxLength: 12,
    });
    const leaf = fc.oneof(tricky, fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.oneof(
      leaf,
      fc.array(leaf, { maxLength: 3 }),
      fc.dictionary(tricky, leaf, { maxKeys: 3 }),
    );
    const objects = fc.array(fc.dictionary(tricky, value, { maxKeys: 4 }), {
      minLength: 1,
      maxLength: 5,
    });
    await fc.assert(
      fc.asyncProperty(
        objects,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (list, pretty, cuts) => {
          const text = JSON.stringify(list, null, pretty ? 2 : undefined);
          const bytes = Buffer.byteLength(text);
          const elements = await scan(
            text,
            cuts.map((cut) => 1 + (cut % Math.max(1, bytes - 1))),
          );
          expect(elements.map((e) => e.value)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts an empty array and a byte-order mark', async () => {
    expect(await scan('[ ]')).toEqual([]);
    expect((await scan('\uFEFF[{"a": 1}]')).map((e) => e.value)).toEqual([{ a: 1 }]);
  });

  it('names file and line of what is wrong', async () => {
    expect((await failure('\n\n"text"')).message).toBe(
      'data.json:3: expected a JSON array of objects (or one object per line), found """',
    );
    expect((await failure('[{"a": 1},\n 5]')).message).toBe(
      'data.json:2: element 2 must be an object {...}, found "5"',
    );
    expect((await failure('[{"a": 1}\n{"a": 2}]')).message).toBe(
      'data.json:2: expected "," or "]" after element 1, found "{"',
    );
    expect((await failure('[{"a": 1},\n{"a": tru}]')).message).toMatch(
      /^data\.json:2: element 2 is not valid JSON: /,
    );
    expect((await failure('[{"a": 1},\n{"a": "unfinished')).message).toBe(
      'data.json:2: the file ends inside element 2, which starts here; is the file complete?',
    );
    expect((await failure('[{"a": 1}')).message).toBe(
      'data.json:1: the file ends before the closing "]" of the array; is the file complete?',
    );
    expect((await failure('[{"a": 1}] x')).code).toBe('LENS_WORKLOAD_PARSE');
  });
});
