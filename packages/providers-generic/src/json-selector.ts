import { JSONPath } from 'jsonpath-plus';

/** Why a selector was refused, in words a config message can carry after the field's path. */
export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

// The subset of JSONPath this adapter reads, one segment at a time. jsonpath-plus's own
// tokenizer (toPathArray) never rejects anything (`$.a[` reads as `$.a`), so a path is
// checked here first and a typo fails in the config, not as a selector that never matches.
const DOT_NAME = String.raw`[^.\[\]\s'"\x60()?@~^*,]+`;
const SEGMENT = new RegExp(
  [
    String.raw`\.\.(?=\[)`, // recursive descent followed by a bracket: $..[0]
    String.raw`\.\.(?:\*|${DOT_NAME})`, // $..text, $..*
    String.raw`\.(?:\*|${DOT_NAME})`, // $.a, $.*
    // [*], [0], [1:3], [::2], [0,2], ['a b'], ["a"]
    String.raw`\[(?:\*|\d+|-?\d*:-?\d*(?::\d*)?|\d+(?:,\d+)+|'[^'"[\]]*'|"[^'"[\]]*")\]`,
  ].join('|'),
  'y',
);

const EXAMPLES = 'such as $.choices[0].delta.content, $.parts[*].text or $..text';

/** Why the segment at `position` of `path` is not accepted. */
function segmentProblem(path: string, position: number): string {
  const rest = path.slice(position);
  if (rest.startsWith('[?(') || rest.startsWith('[(')) {
    return `filter and script expressions ([?(...)], [(...)]) are not supported: script evaluation is off, since a config file may come from anywhere; select with an index, [*] or .. instead`;
  }
  const negative = /^\[(-\d+)\]/.exec(rest);
  if (negative !== null) {
    return `negative index [${negative[1]}] is not supported; write [${negative[1]}:] for the last elements`;
  }
  if (/^(\.|\.\.)?[~^@]/.test(rest) || rest.startsWith('`')) {
    return 'the operators ~ (property name), ^ (parent), @type() and ` (escape) are not supported';
  }
  return `cannot read ${JSON.stringify(rest.slice(0, 20))} at character ${position + 1}; expected .name, [index], ['name'], [*], [start:end] or ..name (${EXAMPLES})`;
}

// A slice as jsonpath-plus recognises one (its _trace checks this same pattern).
const SLICE = /^(-?\d*):(-?\d*):?(\d*)$/;

/** Whether jsonpath-plus treats a path segment as a plain property name or index. */
function isPlainSegment(segment: string): boolean {
  return (
    segment !== '*' &&
    segment !== '..' &&
    segment !== '$' &&
    !segment.includes(',') &&
    !SLICE.test(segment)
  );
}

// Names a JSON value inherits from its prototype. Reading any other name where it is not an
// own property yields undefined, exactly what jsonpath-plus's own-property check gives, so a
// path made of other names (nearly every real one) skips that check on the hot path.
const INHERITED_NAMES: ReadonlySet<string> = new Set(
  [Object, Array, String, Number, Boolean].flatMap((type) =>
    Object.getOwnPropertyNames(type.prototype),
  ),
);

/** Reads `keys` from `root` by plain property access; only for keys no prototype has. */
function walkUninherited(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (let i = 0; i < keys.length; i++) {
    // jsonpath-plus follows a segment only from a truthy value (not from 0, '' or false).
    if (!value) return undefined;
    value = (value as Record<string, unknown>)[keys[i]!];
  }
  return value;
}

/** Reads `keys` from `root`, following own properties only, as jsonpath-plus does. */
function walkOwn(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (let i = 0; i < keys.length; i++) {
    // A string owns its indexes and length; an object never its prototype's `constructor`.
    if (!value) return undefined;
    const key = keys[i]!;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** One evaluator for every selector: each evaluate call sets its per-call state afresh. */
const evaluator = JSONPath({
  autostart: false,
  // Script evaluation off: `[?(...)]` and `[(...)]` would run code from a config file.
  eval: false,
  wrap: true,
  resultType: 'value',
  path: '$',
  json: null,
});

/**
 * A JSONPath parsed once, read on every event. A plain path (`$.a.b[0].c`) is read by a
 * direct property walk; a path with a wildcard, slice, union or recursive descent goes
 * through jsonpath-plus's evaluator with script evaluation off. Both read the same values:
 * a segment is followed only where the value has it as an own property.
 */
export class JsonSelector {
  /** The path as written. */
  readonly path: string;
  /** Whether the path is read by the direct walk (no wildcard, slice, union or `..`). */
  readonly isPlain: boolean;
  /** The property names and indexes after `$`, for the direct walk. */
  readonly #keys: readonly string[];
  readonly #walkKeys: (root: unknown, keys: readonly string[]) => unknown;

  private constructor(path: string, keys: readonly string[], isPlain: boolean) {
    this.path = path;
    this.#keys = keys;
    this.isPlain = isPlain;
    this.#walkKeys = keys.some((key) => INHERITED_NAMES.has(key)) ? walkOwn : walkUninherited;
  }

  /** Parses `path`; throws a {@link SelectorSyntaxError} saying what is wrong with it. */
  static parse(path: string): JsonSelector {
    if (!path.startsWith('$')) {
      throw new SelectorSyntaxError(`must start with $ (a JSONPath ${EXAMPLES})`);
    }
    let position = 1;
    while (position < path.length) {
      SEGMENT.lastIndex = position;
      if (!SEGMENT.test(path)) throw new SelectorSyntaxError(segmentProblem(path, position));
      position = SEGMENT.lastIndex;
    }
    const segments = JSONPath.toPathArray(path);
    // toPathArray keeps the leading '$'; jsonpath-plus drops it the same way when evaluating.
    const keys = segments.slice(1);
    return new JsonSelector(path, keys, keys.every(isPlainSegment));
  }

  /** The first match that is neither null nor undefined, else undefined. */
  value(root: unknown): unknown {
    if (this.isPlain) {
      const value = this.#walk(root);
      return value === null ? undefined : value;
    }
    for (const match of this.#evaluate(root)) {
      if (match !== null && match !== undefined) return match;
    }
    return undefined;
  }

  /** The string matches joined in document order ('' when none); other values are skipped. */
  text(root: unknown): string {
    if (this.isPlain) {
      const value = this.#walk(root);
      return typeof value === 'string' ? value : '';
    }
    let text = '';
    for (const match of this.#evaluate(root)) if (typeof match === 'string') text += match;
    return text;
  }

  /** Whether any match is truthy (JavaScript truthiness: not false, 0, '', null). */
  isTruthy(root: unknown): boolean {
    if (this.isPlain) return Boolean(this.#walk(root));
    return this.#evaluate(root).some(Boolean);
  }

  #walk(root: unknown): unknown {
    return this.#walkKeys(root, this.#keys);
  }

  #evaluate(root: unknown): unknown[] {
    // evaluate() reads nothing from a falsy document (and returns undefined, not []).
    if (!root) return [];
    const matches: unknown = evaluator.evaluate(this.path, root as object, undefined, undefined);
    return Array.isArray(matches) ? matches : [];
  }
}
