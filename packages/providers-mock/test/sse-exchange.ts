/** A completion POSTed to the simulator and its raw SSE body, read to the end. */
export interface SseExchange {
  response: Response;
  /** Each event's `data:` payload, in order (`[DONE]` included). */
  data: string[];
}

/** POSTs a JSON body. */
export function postJson(
  url: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
}

/** Splits an SSE body into the `data:` payloads of its events. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      if (!event.startsWith('data: '))
        throw new Error(`not a data event: ${JSON.stringify(event)}`);
      return event.slice('data: '.length);
    });
}

/** POSTs a streaming completion and reads the whole SSE body. */
export async function streamCompletion(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SseExchange> {
  const response = await postJson(url, body, { headers });
  return { response, data: sseData(await response.text()) };
}

/** Reads a body until it ends or breaks; returns the text read and the error, if any. */
export async function readUntilBroken(
  response: Response,
): Promise<{ text: string; error: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}
