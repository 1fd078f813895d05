import { ApiError, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';

// Google's own SDK (@google/genai) against the simulator: proof that its Gemini format is
// the one the SDK reads. `httpOptions.baseUrl` points the client at the simulator.

let sim: RunningSimulator;
let thinkingSim: RunningSimulator;
let failingSim: RunningSimulator;

beforeAll(async () => {
  [sim, thinkingSim, failingSim] = await Promise.all([
    startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 12, seed: 1 }),
    startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 6, reasoningTokens: 4, seed: 2 }),
    startSimulator({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 10,
      seed: 3,
      faults: { midStreamErrorRate: 1 },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([sim.close(), thinkingSim.close(), failingSim.close()]);
});

const geminiClient = (target: RunningSimulator, apiKey = 'test-key') =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: target.url } });

const contents = 'Say twelve words';

/** Texts of the thought and answer parts of a response's first candidate. */
function partTexts(response: GenerateContentResponse): { thoughts: string; answer: string } {
  let thoughts = '';
  let answer = '';
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.thought === true) thoughts += part.text ?? '';
    else answer += part.text ?? '';
  }
  return { thoughts, answer };
}

describe('the official @google/genai client against the simulator (Gemini API)', () => {
  it('streams the full text with generateContentStream, with usageMetadata and STOP', async () => {
    const stream = await geminiClient(sim).models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents,
    });
    let text = '';
    let chunks = 0;
    let last: GenerateContentResponse | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      chunks++;
      // Cumulative on every chunk, as Gemini sends it.
      expect(chunk.usageMetadata?.candidatesTokenCount).toBe(chunks);
      last = chunk;
    }
    expect(text).toBe(simulatedText(12));
    expect(chunks).toBe(12);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.modelVersion).toBe('gemini-2.5-flash');
    expect(last?.usageMetadata).toEqual({
      promptTokenCount: 3,
      candidatesTokenCount: 12,
      totalTokenCount: 15,
    });
  });

  it('returns the full text with generateContent, cut at maxOutputTokens with MAX_TOKENS', async () => {
    const client = geminiClient(sim);
    const whole = await client.models.generateContent({ model: 'gemini-2.5-flash', contents });
    expect(whole.text).toBe(simulatedText(12));
    expect(whole.candidates?.[0]?.finishReason).toBe('STOP');
    expect(whole.usageMetadata).toEqual({
      promptTokenCount: 3,
      candidatesTokenCount: 12,
      totalTokenCount: 15,
    });
    const cut = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents,
      config: { maxOutputTokens: 5, systemInstruction: 'Be brief.' },
    });
    expect(cut.text).toBe(simulatedText(5));
    expect(cut.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    // Three words of the prompt and two of the system instruction.
    expect(cut.usageMetadata?.promptTokenCount).toBe(5);
  });

  it('sends thought parts first when includeThoughts is on, counted in thoughtsTokenCount', async () => {
    const config = { thinkingConfig: { includeThoughts: true } };
    const stream = await geminiClient(thinkingSim).models.generateContentStream({
      model: 'gemini-2.5-pro',
      contents,
      config,
    });
    let thoughts = '';
    let answer = '';
    let last: GenerateContentResponse | undefined;
    for await (const chunk of stream) {
      const texts = partTexts(chunk);
      // No answer text before the last thought.
      if (texts.thoughts !== '') expect(answer).toBe('');
      thoughts += texts.thoughts;
      answer += texts.answer;
      last = chunk;
    }
    expect(thoughts).toBe(simulatedText(4));
    expect(answer).toBe(simulatedText(6));
    expect(last?.usageMetadata).toEqual({
      promptTokenCount: 3,
      candidatesTokenCount: 6,
      thoughtsTokenCount: 4,
      totalTokenCount: 13,
    });

    const whole = await geminiClient(thinkingSim).models.generateContent({
      model: 'gemini-2.5-pro',
      contents,
      config,
    });
    expect(partTexts(whole)).toEqual({ thoughts: simulatedText(4), answer: simulatedText(6) });
    expect(whole.usageMetadata?.thoughtsTokenCount).toBe(4);

    // Without includeThoughts the model does not show its thinking.
    const plain = await geminiClient(thinkingSim).models.generateContent({
      model: 'gemini-2.5-pro',
      contents,
    });
    expect(partTexts(plain)).toEqual({ thoughts: '', answer: simulatedText(6) });
  });

  it('throws ApiError 401 for the rejected key, sent as x-goog-api-key', async () => {
    const error = await geminiClient(sim, 'invalid-key')
      .models.generateContent({ model: 'gemini-2.5-flash', contents })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).message).toContain('API key not valid');
  });

  it('throws ApiError 400 INVALID_ARGUMENT for an output limit below 1', async () => {
    const error = await geminiClient(sim)
      .models.generateContent({
        model: 'gemini-2.5-flash',
        contents,
        config: { maxOutputTokens: 0 },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('max_output_tokens must be positive');
  });

  it('throws ApiError 500 at the error object Google sends mid-stream, after half the text', async () => {
    const stream = await geminiClient(failingSim).models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.text ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect((error as ApiError).message).toContain('INTERNAL');
    expect(text).toBe(simulatedText(5));
  });
});

describe('the official @google/genai client against the simulator (Vertex AI)', () => {
  // The SDK takes its OAuth token from google-auth-library; an auth client that hands out a
  // fixed bearer token stands in for Application Default Credentials.
  const vertexClient = (token: string) =>
    new GoogleGenAI({
      vertexai: true,
      project: 'lens-project',
      location: 'us-central1',
      httpOptions: { baseUrl: sim.url },
      googleAuthOptions: {
        authClient: {
          getRequestHeaders: async () => new Headers({ authorization: `Bearer ${token}` }),
        } as never,
      },
    });

  it('streams and returns the full text on the project/location path', async () => {
    const client = vertexClient('ya29.lens-test-token');
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents,
    });
    let text = '';
    let last: GenerateContentResponse | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      last = chunk;
    }
    expect(text).toBe(simulatedText(12));
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(12);
    const whole = await client.models.generateContent({ model: 'gemini-2.5-flash', contents });
    expect(whole.text).toBe(simulatedText(12));
  });

  it('throws ApiError 401 for the rejected bearer token', async () => {
    const error = await vertexClient('invalid-key')
      .models.generateContent({ model: 'gemini-2.5-flash', contents })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
  });
});
