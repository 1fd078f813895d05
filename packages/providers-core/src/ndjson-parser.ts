import { StringDecoder } from 'node:string_decoder';
import { checkMaxEventBytes, DEFAULT_MAX_EVENT_BYTES, eventSizeError } from './wire-limits.js';

/** Options of {@link NdjsonParser}. */
export interface NdjsonParserOptions {
  /**
   * Longest line in UTF-16 code units; a longer one makes `push` throw a
   * `LENS_PROVIDER_PROTOCOL` error before it is buffered. Default `DEFAULT_MAX_EVENT_BYTES`.
   */
  maxLineChars?: number;
}

/**
 * Incremental newline-delimited JSON framing (Ollama's native API, many self-hosted
 * servers): one value per line, `\n` or `\r\n` line ends, blank lines skipped. It hands
 * over each line's text; the adapter parses it, so a line that is not JSON is the adapter's
 * to classify. Multi-byte characters split across chunks are kept whole.
 */
export class NdjsonParser {
  readonly #maxLineChars: number;
  readonly #decoder = new StringDecoder('utf8');
  #partialLine = '';
  #ended = false;
  #discardedAtEnd = false;

  constructor(options: NdjsonParserOptions = {}) {
    this.#maxLineChars = checkMaxEventBytes(options.maxLineChars ?? DEFAULT_MAX_EVENT_BYTES);
  }

  /** Whether an unterminated line is buffered; after `end()`, whether one was left unread. */
  get hasPendingData(): boolean {
    return this.#ended ? this.#discardedAtEnd : this.#partialLine.trim().length > 0;
  }

  /** Feeds one chunk; calls `onLine` for each complete, non-blank line. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    const text = this.#decoder.write(chunk);
    if (text.length > 0) this.#feed(text, onLine);
  }

  /**
   * The body ended. A last line without its line end is still a complete value when it
   * parses; `onLine` hears it and the caller decides (a cut line fails to parse there).
   */
  end(onLine: (line: string) => void): void {
    const rest = this.#decoder.end();
    if (rest.length > 0) this.#feed(rest, onLine);
    // The same line a newline would have ended: only a final '\r' is dropped, so padding
    // JSON does not allow fails here exactly as it would on a terminated line.
    const last = this.#partialLine.endsWith('\r')
      ? this.#partialLine.slice(0, -1)
      : this.#partialLine;
    this.#partialLine = '';
    this.#ended = true;
    if (last.trim().length === 0) return;
    try {
      JSON.parse(last);
    } catch {
      this.#discardedAtEnd = true;
      return;
    }
    onLine(last);
  }

  #feed(text: string, onLine: (line: string) => void): void {
    let lineStart = 0;
    let lineEnd = text.indexOf('\n');
    while (lineEnd !== -1) {
      if (this.#partialLine.length + (lineEnd - lineStart) > this.#maxLineChars) this.#tooLarge();
      let line = text.slice(lineStart, lineEnd);
      if (this.#partialLine.length > 0) {
        line = this.#partialLine + line;
        this.#partialLine = '';
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim().length > 0) onLine(line);
      lineStart = lineEnd + 1;
      lineEnd = text.indexOf('\n', lineStart);
    }
    if (lineStart < text.length) {
      if (this.#partialLine.length + (text.length - lineStart) > this.#maxLineChars) {
        this.#tooLarge();
      }
      this.#partialLine += text.slice(lineStart);
    }
  }

  #tooLarge(): never {
    this.#partialLine = '';
    throw eventSizeError('an NDJSON line', this.#maxLineChars);
  }
}
