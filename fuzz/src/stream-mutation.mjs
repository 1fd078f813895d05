/**
 * The mutation steps every protocol module takes the same way, around its own structural
 * mutations: a cut at a place its marks name, then a few byte operators at offsets it
 * picks; and the text helpers its rewrites share. The draws from the PRNG are made in a
 * fixed order, so a seed builds the same case whichever module calls them.
 */
import {
  deleteBytes,
  flipBit,
  insertBytes,
  STRUCTURAL_BYTES,
  truncate,
} from './byte-mutations.mjs';

/** How often each byte operator is drawn, unless a protocol weighs them otherwise. */
export const BYTE_OPERATOR_WEIGHTS = {
  flip: 38,
  delete: 27,
  insertStructural: 22,
  insertRandom: 13,
};

/**
 * Cuts `body` at a place of the kind drawn from `classes` (`{ label: weight }`):
 * `offsetFor(label)` gives the offset, or undefined when the stream has no such place
 * (then anywhere). The cut keeps at least one byte and drops at least one; what it did is
 * appended to `steps`.
 * @returns {{ body: Buffer, tail: Buffer }} `tail`: the bytes the server would have sent
 *   after the cut (so a framing can declare the full length and then cut the connection)
 */
export function cutAtMarkedPlace(rng, body, steps, classes, offsetFor) {
  const label = rng.weighted(classes);
  const offset = offsetFor(label) ?? rng.int(1, body.length - 1);
  const cut = truncate(body, Math.max(1, Math.min(body.length - 1, offset)), label);
  steps.push(cut.description);
  return { body: cut.body, tail: body.subarray(cut.body.length) };
}

/**
 * Applies `count` byte operators (drawn by `weights`) to `body` at offsets
 * `offsetFor(length)` picks, and appends what each did to `steps`. A structural insertion
 * is one byte of STRUCTURAL_BYTES, or now and then two unless `structuralPairs` is false.
 * @returns {Buffer} the mutated body
 */
export function applyByteOperators(
  rng,
  body,
  count,
  steps,
  { offsetFor, weights = BYTE_OPERATOR_WEIGHTS, structuralPairs = true },
) {
  let mutated = body;
  for (let i = 0; i < count && mutated.length > 0; i++) {
    const op = rng.weighted(weights);
    const offset = offsetFor(mutated.length);
    let step;
    if (op === 'flip') step = flipBit(mutated, offset, rng.int(0, 7));
    else if (op === 'delete')
      step = deleteBytes(mutated, offset, rng.chance(0.8) ? 1 : rng.int(2, 6));
    else if (op === 'insertStructural') {
      const length = structuralPairs && !rng.chance(0.85) ? 2 : 1;
      const bytes = Buffer.from(Array.from({ length }, () => rng.pick(STRUCTURAL_BYTES)));
      step = insertBytes(mutated, offset, bytes);
    } else step = insertBytes(mutated, offset, rng.bytes(rng.int(1, 4)));
    mutated = step.body;
    steps.push(step.description);
  }
  return mutated;
}

/**
 * How many byte operators follow: drawn from `weights` (`{ 0: w, 1: w, 2: w, 3: w }`),
 * none for an empty body (without a draw).
 */
export function byteOperatorCount(rng, body, weights) {
  return body.length === 0 ? 0 : Number(rng.weighted(weights));
}

/** The result of a mutateStream: the steps taken, joined, or 'unmutated'. */
export function mutatedStream(body, tail, steps) {
  return { body, tail, description: steps.length > 0 ? steps.join('; ') : 'unmutated' };
}

/** `text` cut to `max` characters for a description. */
export const clip = (text, max = 120) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** JSON text of `value` with every non-ASCII character escaped as \uXXXX. */
export function asciiJson(value) {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One to three text pieces drawn from `pieces`, joined. */
export function textPiece(rng, pieces) {
  let text = '';
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) text += rng.pick(pieces);
  return text;
}
