// CPU per token event of the parse path alone (SSE framing, UTF-8 decode, JSON.parse, the
// OpenAI chunk reader), fed from memory: what the drain costs per event, without any I/O.
import { createOpenAIProvider } from '@llm-lens/providers-openai';

const WORDS = [' lorem', ' ipsum', ' dolor', ' sit', ' amet', ',', ' consectetur', ' adipiscing'];

/** Streams of `tokens` simulator-shaped chunks through the OpenAI decoder; returns µs per event. */
export function measureParseCost({ tokens = 128, streams = 4000 } = {}) {
  const provider = createOpenAIProvider({
    id: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9/v1',
  });
  const input = { model: 'mock-model', prompt: 'Tell me a story.', stream: true };
  const head =
    '{"id":"chatcmpl-5f0c6a2e-8d9b-4a57-9a44-0b9e3c3a7f11","object":"chat.completion.chunk","created":1764100000,"model":"mock-model","choices":[{"index":0,"delta":{"content":';
  const chunks = [];
  for (let i = 0; i < tokens; i++) {
    chunks.push(
      Buffer.from(
        `data: ${head}${JSON.stringify(WORDS[i % WORDS.length])}},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
      ),
    );
  }
  chunks.push(
    Buffer.from(
      'data: {"id":"chatcmpl-5f","object":"chat.completion.chunk","created":1764100000,"model":"mock-model","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":128,"total_tokens":133}}\n\ndata: [DONE]\n\n',
    ),
  );
  let events = 0;
  const emit = (event) => {
    if (event.text.length > 0) events++;
  };
  const run = (n) => {
    for (let s = 0; s < n; s++) {
      const decoder = provider.createDecoder(input);
      for (const chunk of chunks) decoder.push(chunk, emit);
      decoder.end(emit);
    }
  };
  run(Math.ceil(streams / 4)); // JIT warm-up
  events = 0;
  const cpuBefore = process.cpuUsage();
  run(streams);
  const cpu = process.cpuUsage(cpuBefore);
  return { events, cpuUsPerEvent: (cpu.user + cpu.system) / events };
}
