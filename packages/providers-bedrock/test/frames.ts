// Event-stream frames for tests, written from AWS's documented formats and encoded with
// @smithy/eventstream-codec (the same codec the AWS SDKs use), never copied from a capture.
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function stringHeaders(headers: Record<string, string>): MessageHeaders {
  const tagged: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) tagged[name] = { type: 'string', value };
  return tagged;
}

/** A frame with string headers and a UTF-8 payload. */
export function frame(headers: Record<string, string>, payload: string): Uint8Array {
  return codec.encode({ headers: stringHeaders(headers), body: fromUtf8(payload) });
}

/** An `event` frame of type `eventType` with a JSON payload. */
export function eventFrame(eventType: string, payload: object): Uint8Array {
  return frame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(payload),
  );
}

/** An `exception` frame (a modelled error such as throttlingException). */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return frame(
    {
      ':exception-type': exceptionType,
      ':content-type': 'application/json',
      ':message-type': 'exception',
    },
    JSON.stringify({ message }),
  );
}

/** An InvokeModelWithResponseStream `chunk` frame holding one model event, base64. */
export function chunkFrame(modelEvent: object, padding = 'abcdef'): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(modelEvent)).toString('base64');
  return eventFrame('chunk', { bytes, p: padding });
}

/** Frames one after another, as one body. */
export function concatFrames(frames: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(frames);
}

/** Every way of cutting `body` into two pieces, plus one byte at a time. */
export function splits(body: Uint8Array): Uint8Array[][] {
  const result: Uint8Array[][] = [];
  for (let at = 0; at <= body.byteLength; at++) {
    result.push([body.subarray(0, at), body.subarray(at)]);
  }
  result.push(Array.from({ length: body.byteLength }, (_, i) => body.subarray(i, i + 1)));
  return result;
}
