// Reads the objects of a large JSON array one at a time. ShareGPT files run to 650 MB:
// more than V8's longest string (~512 MiB), and their parsed tree would need gigabytes. So
// the bytes are scanned for the bounds of each top-level element (tracking strings, escapes
// and nesting), and only one element at a time is decoded and parsed. A file of objects
// one after another (JSON Lines) is read the same way.
import { createReadStream } from 'node:fs';
import type { DataFile } from './data-file.js';
import { WorkloadError } from './workload-error.js';

/** One top-level object of the file. */
export interface JsonElement {
  value: unknown;
  /** 0-based position among the file's elements. */
  index: number;
  /** 1-based line where the element starts. */
  line: number;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

// Where the scanner is, between bytes.
const State = {
  /** Before the first non-space byte. */
  Start: 0,
  /** After `[` or `,`: an element must come (or `]` right after `[`). */
  BeforeElement: 1,
  /** Inside an element. */
  Element: 2,
  /** After an element: `,` or `]` (array), the next `{` (a stream of objects). */
  AfterElement: 3,
  /** After the closing `]`. */
  End: 4,
} as const;
type State = (typeof State)[keyof typeof State];

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function shown(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16)}`;
}

/**
 * The top-level objects of `file`: a JSON array of objects, or objects one after another.
 * Throws LENS_WORKLOAD_PARSE with file and line for anything else.
 */
export async function* readJsonElements(file: DataFile): AsyncGenerator<JsonElement> {
  const stream = createReadStream(file.path, { highWaterMark: 1 << 20 });
  try {
    yield* scanJsonElements(stream as AsyncIterable<Buffer>, file.name);
  } finally {
    stream.destroy();
  }
}

/** The top-level objects in `chunks` (however the bytes are split); `name` is for messages. */
export async function* scanJsonElements(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<JsonElement> {
  const fail = (line: number, message: string): never => {
    throw new WorkloadError('LENS_WORKLOAD_PARSE', `${name}:${line}: ${message}`, {
      file: name,
      line,
    });
  };
  // Asserted wide: the closure below changes it, which narrowing cannot see.
  let state = State.Start as State;
  let isArray = false;
  let line = 1;
  let index = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: Uint8Array[] = [];
  let startLine = 1;
  let isFirstChunk = true;
  try {
    for await (const chunk of chunks) {
      let i = 0;
      // A UTF-8 byte-order mark is not JSON, but editors write one.
      if (isFirstChunk && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      isFirstChunk = false;
      let elementStart = state === State.Element ? 0 : -1;
      // Where the next backslash of this chunk is, found once and reused until passed.
      let nextBackslash = -1;
      for (; i < chunk.length; i++) {
        if (inString) {
          // Strings are most of a dataset: jump to their next quote or backslash. A valid
          // string holds no raw line break, so no line is skipped uncounted.
          if (escaped) {
            escaped = false;
            continue;
          }
          if (nextBackslash < i) {
            nextBackslash = chunk.indexOf(BACKSLASH, i);
            if (nextBackslash === -1) nextBackslash = chunk.length;
          }
          let nextQuote = chunk.indexOf(QUOTE, i);
          if (nextQuote === -1) nextQuote = chunk.length;
          i = Math.min(nextQuote, nextBackslash);
          if (i === chunk.length) break;
          if (i === nextBackslash) escaped = true;
          else inString = false;
          continue;
        }
        const byte = chunk[i]!;
        if (byte === NEWLINE) line++;
        if (state === State.Element) {
          if (byte === QUOTE) inString = true;
          else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
          else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            depth--;
            if (depth === 0) {
              pieces.push(chunk.subarray(elementStart, i + 1));
              const textOfElement = Buffer.concat(pieces).toString('utf8');
              pieces = [];
              elementStart = -1;
              state = State.AfterElement;
              let value: unknown;
              try {
                value = JSON.parse(textOfElement);
              } catch (error) {
                fail(
                  startLine,
                  `element ${index + 1} is not valid JSON: ${(error as Error).message}`,
                );
              }
              yield { value, index, line: startLine };
              index++;
            }
          }
          continue;
        }
        if (isSpace(byte)) continue;
        const startElement = (): void => {
          state = State.Element;
          depth = 1;
          inString = false;
          escaped = false;
          elementStart = i;
          startLine = line;
        };
        switch (state) {
          case State.Start:
            if (byte === OPEN_BRACKET) {
              isArray = true;
              state = State.BeforeElement;
            } else if (byte === OPEN_BRACE) startElement();
            else
              fail(
                line,
                `expected a JSON array of objects (or one object per line), found ${shown(byte)}`,
              );
            break;
          case State.BeforeElement:
            if (byte === OPEN_BRACE) startElement();
            else if (byte === CLOSE_BRACKET && index === 0) state = State.End;
            else fail(line, `element ${index + 1} must be an object {...}, found ${shown(byte)}`);
            break;
          case State.AfterElement:
            if (isArray && byte === COMMA) state = State.BeforeElement;
            else if (isArray && byte === CLOSE_BRACKET) state = State.End;
            else if (!isArray && byte === OPEN_BRACE) startElement();
            else
              fail(
                line,
                `expected ${isArray ? '"," or "]"' : 'the next object'} after element ${index}, found ${shown(byte)}`,
              );
            break;
          case State.End:
            fail(line, `unexpected ${shown(byte)} after the closing "]" of the array`);
        }
      }
      if (state === State.Element) pieces.push(chunk.subarray(elementStart));
    }
  } catch (error) {
    if (error instanceof WorkloadError) throw error;
    throw new WorkloadError(
      'LENS_WORKLOAD_FILE',
      `${name}: cannot read the file: ${(error as Error).message}`,
      { file: name, cause: error },
    );
  }
  if (state === State.Element) {
    fail(
      startLine,
      `the file ends inside element ${index + 1}, which starts here; is the file complete?`,
    );
  }
  if (isArray && state !== State.End)
    fail(line, 'the file ends before the closing "]" of the array; is the file complete?');
}
