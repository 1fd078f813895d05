import { StringDecoder } from 'node:string_decoder';
import { checkMaxEventBytes, DEFAULT_MAX_EVENT_BYTES, eventSizeError } from './wire-limits.js';

/**
 * The text of a whole response body (a non-streaming JSON reply), collected chunk by chunk
 * and refused once it outgrows its limit, before the bytes over it are kept. Split and
 * invalid UTF-8 is decoded as TextDecoder would, with Node's StringDecoder (a fraction of
 * TextDecoder's cost per call), and a leading byte order mark is dropped, as TextDecoder
 * does and JSON.parse would not accept.
 */
export class BodyBuffer {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxBytes: number;
  readonly #what: string;
  #text = '';
  #bytes = 0;

  /**
   * @param what names the body in the size error, e.g. `an OpenAI response body`
   * @param maxBytes the limit; default `DEFAULT_MAX_EVENT_BYTES` (8 MiB)
   */
  constructor(what: string, maxBytes: number = DEFAULT_MAX_EVENT_BYTES) {
    this.#what = what;
    this.#maxBytes = checkMaxEventBytes(maxBytes);
  }

  /** Adds a chunk; throws a `LENS_PROVIDER_PROTOCOL` error once the body is over the limit. */
  push(chunk: Uint8Array): void {
    this.#bytes += chunk.byteLength;
    if (this.#bytes > this.#maxBytes) {
      this.#text = '';
      throw eventSizeError(this.#what, this.#maxBytes);
    }
    this.#text += this.#decoder.write(chunk);
  }

  /** The whole body as text; the buffer is empty afterwards. */
  take(): string {
    const text = this.#text + this.#decoder.end();
    this.#text = '';
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
