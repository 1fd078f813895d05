import { describe, expect, it } from 'vitest';
import { buildGeminiBody } from './gemini-request.js';

describe('buildGeminiBody', () => {
  it('sends a plain prompt as one user turn, and no generationConfig when nothing is set', () => {
    expect(buildGeminiBody({ model: 'm', prompt: 'Hi', stream: true })).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
  });

  it('maps roles to user and model, system messages to systemInstruction, limits to generationConfig', () => {
    expect(
      buildGeminiBody({
        model: 'm',
        prompt: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: 'A1' },
          { role: 'system', content: 'No lists.' },
          { role: 'user', content: 'Q2' },
        ],
        stream: false,
        maxTokens: 64,
        temperature: 0,
      }),
    ).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Q1' }] },
        { role: 'model', parts: [{ text: 'A1' }] },
        { role: 'user', parts: [{ text: 'Q2' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.\n\nNo lists.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0 },
    });
  });

  it('merges options into generationConfig key by key and sets other keys as given', () => {
    expect(
      buildGeminiBody({
        model: 'm',
        prompt: 'Hi',
        stream: true,
        maxTokens: 32,
        extraBody: {
          generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 512 } },
          safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
        },
      }),
    ).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: {
        maxOutputTokens: 32,
        thinkingConfig: { includeThoughts: true, thinkingBudget: 512 },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    });
  });
});
