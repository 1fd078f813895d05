import { LensProviderError } from '@llm-lens/providers-core';

// The JSON helpers every adapter shares; re-exported so this package's modules import one place.
export {
  asObject,
  asString,
  type JsonObject,
  parseJsonObject as parseObject,
  SNIPPET_CHARS,
} from '@llm-lens/providers-core';

/** The protocol error every decoder of this package throws. */
export function protocolError(message: string, cause?: unknown): LensProviderError {
  return new LensProviderError(
    'LENS_PROVIDER_PROTOCOL',
    message,
    cause === undefined ? { errorClass: 'protocol' } : { errorClass: 'protocol', cause },
  );
}

/** UTF-8 text of a frame payload (a view into the frame, not copied). */
export function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
