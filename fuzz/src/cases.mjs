/**
 * Turns a protocol module's streams into served cases: a mutated body gets a valid HTTP/1.1
 * framing (so the body alone decides the outcome), an ending for the connection, and a plan
 * of TCP writes; every case carries the outcome the reference decoder expects.
 */
import { buildResponse, encodeChunked, responseHead } from './http-wire.mjs';
import { caseRng, mixSeed, Rng } from './prng.mjs';

/**
 * @typedef {object} Case
 * @property {string} key `17` for mutated case 17, `edge:<name>` for an edge case
 * @property {'mutated' | 'edge' | 'control'} kind
 * @property {string} description what was done to the stream, framing and ending included
 * @property {Buffer} bytes exactly what the server writes
 * @property {import('./http-reference.mjs').Ending} ending
 * @property {number[] | undefined} cuts offsets at which the bytes are split into writes
 * @property {{ bytes: Buffer, times: number } | undefined} [repeat] written `times` over
 *   after `bytes`: a huge body without a huge buffer
 * @property {import('./protocols/openai-chat.mjs').Outcome} expected
 * @property {object} checks extra per-case checks (see the protocol's edgeCases)
 */

/** Offsets that split `length` bytes into separate writes: random, with byte-by-byte runs. */
function planCuts(rng, length) {
  if (length < 2) return undefined;
  const cuts = new Set();
  const count = rng.int(1, Math.min(60, length - 1));
  for (let i = 0; i < count; i++) cuts.add(rng.int(1, length - 1));
  if (rng.chance(0.35)) {
    // A window written one byte at a time: splits every line end, field name and UTF-8
    // sequence inside it.
    const start = rng.int(1, length - 1);
    for (let at = start; at < Math.min(length, start + rng.int(8, 48)); at++) cuts.add(at);
  }
  if (length <= 4096 && rng.chance(0.04)) for (let at = 1; at < length; at++) cuts.add(at);
  return [...cuts].sort((a, b) => a - b);
}

function bytewiseCuts(length) {
  return Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1);
}

const STREAM_HEADERS = (contentType, rng) => [
  ['Content-Type', rng.chance(0.2) ? `${contentType}; charset=utf-8` : contentType],
  ['Cache-Control', 'no-cache'],
];

/**
 * Frames a mutated body. Whole bodies: close-delimited (then FIN or RST), Content-Length or
 * chunked (connection kept, or closed as announced). Truncated bodies, both ways the issue
 * asks for: close-delimited with the cut as the end, or the full length (Content-Length or
 * chunked) declared and the connection cut after the truncated bytes.
 */
function frame(rng, contentType, mutated) {
  const headers = STREAM_HEADERS(contentType, rng);
  const isTruncated = mutated.tail.length > 0;
  const chunkSizes = Array.from({ length: rng.int(1, 4) }, () => rng.int(1, 400));
  if (isTruncated) {
    const how = rng.weighted({
      'close-delimited': 34,
      'declared length': 33,
      'declared chunked': 33,
    });
    const ending = rng.chance(0.5) ? 'reset' : 'close';
    if (how === 'close-delimited') {
      return {
        bytes: buildResponse(mutated.body, { headers, framing: 'close' }),
        ending,
        framing: how,
      };
    }
    if (how === 'declared length') {
      const bytes = buildResponse(mutated.body, {
        headers,
        framing: 'length',
        declaredLength: mutated.body.length + mutated.tail.length,
      });
      return { bytes, ending, framing: how };
    }
    const whole = Buffer.concat([mutated.body, mutated.tail]);
    const { bytes: chunked, wireOffsets } = encodeChunked(whole, chunkSizes);
    const head = responseHead(200, [...headers, ['Transfer-Encoding', 'chunked']]);
    const bytes = Buffer.concat([head, chunked.subarray(0, wireOffsets[mutated.body.length])]);
    return { bytes, ending, framing: `${how} (chunks ${chunkSizes.join('/')})` };
  }
  const how = rng.weighted({
    'close-delimited': 25,
    length: 35,
    chunked: 35,
    'length, Connection: close': 5,
  });
  if (how === 'close-delimited') {
    const ending = rng.chance(0.85) ? 'close' : 'reset';
    return {
      bytes: buildResponse(mutated.body, { headers, framing: 'close' }),
      ending,
      framing: how,
    };
  }
  if (how === 'length, Connection: close') {
    const bytes = buildResponse(mutated.body, {
      headers: [...headers, ['Connection', 'close']],
      framing: 'length',
    });
    return { bytes, ending: 'close', framing: how };
  }
  if (how === 'length') {
    return {
      bytes: buildResponse(mutated.body, { headers, framing: 'length' }),
      ending: 'keep',
      framing: how,
    };
  }
  const bytes = buildResponse(mutated.body, { headers, framing: 'chunked', chunkSizes });
  return { bytes, ending: 'keep', framing: `chunked (chunks ${chunkSizes.join('/')})` };
}

/**
 * Mutated case `index` of a run seeded with `seed`: depends on nothing else, so any case
 * can be rebuilt alone.
 * @returns {Case}
 */
export function buildMutatedCase(protocol, seed, index) {
  const rng = caseRng(seed, index);
  const base = protocol.buildBaseStream(rng);
  const mutated = protocol.mutateStream(rng, base);
  const framed = frame(rng, protocol.contentType, mutated);
  const cuts = rng.chance(0.5) ? planCuts(rng, framed.bytes.length) : undefined;
  const served = { bytes: framed.bytes, ending: framed.ending };
  return {
    key: String(index),
    kind: 'mutated',
    description: `${mutated.description}; framing ${framed.framing}; ending ${framed.ending}; ${
      cuts === undefined ? 'one write' : `${cuts.length + 1} writes`
    }`,
    ...served,
    cuts,
    expected: protocol.referenceOutcome(served),
    checks: {},
  };
}

/** Repetitions of a repeated tail the reference reads: with 1 MiB units, past an 8 MiB cap. */
const REFERENCE_REPEATS = 16;

/** A stable 32-bit number for an edge case's name, so its random bytes depend on the seed only. */
function nameHash(name) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++)
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * Every edge case of `protocol`, built, with the reference's outcome. `declared` is the
 * outcome written down with the case; `expected.errorClass` is the reference's, and the two
 * must agree (a disagreement is a bug in the suite, reported as such).
 * @returns {Array<Case & { declared: string }>}
 */
export function buildEdgeCases(protocol, seed, names) {
  const cases = [];
  for (const edge of protocol.edgeCases()) {
    if (names !== undefined && !names.includes(edge.name)) continue;
    const { name, expect, build, ...checks } = edge;
    const built = build(new Rng(mixSeed(seed, nameHash(name))));
    const served = { bytes: built.bytes, ending: built.ending };
    const repeat = built.repeat;
    const size =
      built.bytes.length + (repeat === undefined ? 0 : repeat.bytes.length * repeat.times);
    // A repeated tail (hundreds of MiB) is never built whole: the reference reads a prefix
    // of it that is already past every size limit the suite tests.
    const referenceBytes =
      repeat === undefined
        ? built.bytes
        : Buffer.concat([
            built.bytes,
            ...Array(Math.min(repeat.times, REFERENCE_REPEATS)).fill(repeat.bytes),
          ]);
    cases.push({
      key: `edge:${name}`,
      kind: 'edge',
      description: `edge case ${name} (${size} bytes, ending ${built.ending})`,
      ...served,
      repeat,
      cuts: built.writes === 'bytewise' ? bytewiseCuts(built.bytes.length) : undefined,
      expected: protocol.referenceOutcome({
        bytes: referenceBytes,
        ending: built.ending,
        maxEventBytes: checks.maxEventBytes,
      }),
      declared: expect,
      checks,
    });
  }
  return cases;
}

/** A plain valid stream that opens every CLI run (see the runner for why). */
export function buildControlCase(protocol, seed) {
  const rng = new Rng(mixSeed(seed, 0xc0ffee));
  let base;
  do base = protocol.buildBaseStream(rng);
  while (base.marks.done === undefined);
  const served = {
    bytes: buildResponse(base.body, {
      headers: STREAM_HEADERS(protocol.contentType, rng),
      framing: 'length',
    }),
    ending: 'keep',
  };
  return {
    key: 'control',
    kind: 'control',
    description: 'a valid stream that opens the run',
    ...served,
    cuts: undefined,
    expected: protocol.referenceOutcome(served),
    checks: {},
  };
}
