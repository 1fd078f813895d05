import { LensProviderError } from '@llm-lens/providers-core';
import { describe, expect, it } from 'vitest';
import { BodyTemplate } from './body-template.js';
import { templateValues } from './template-variables.js';

const chatTemplate = {
  model: '{{model}}',
  messages: '{{messages}}',
  max_tokens: '{{max_tokens}}',
  temperature: '{{temperature}}',
  stream: '{{stream}}',
  options: { seed: 1, stop: ['\n\n'] },
};

describe('BodyTemplate', () => {
  it('puts whole-string variables in with their JSON types', () => {
    const body = BodyTemplate.compile(chatTemplate).render(
      templateValues({
        model: 'm-1',
        prompt: 'Hi there',
        stream: true,
        maxTokens: 32,
        temperature: 0,
      }),
    );
    expect(JSON.stringify(body)).toBe(
      '{"model":"m-1","messages":[{"role":"user","content":"Hi there"}],"max_tokens":32,"temperature":0,"stream":true,"options":{"seed":1,"stop":["\\n\\n"]}}',
    );
  });

  it('leaves out the keys and list items of variables without a value', () => {
    const template = BodyTemplate.compile({
      ...chatTemplate,
      limits: ['{{max_tokens}}', 7],
      label: 'max {{max_tokens}} tokens',
    });
    const body = template.render(templateValues({ model: 'm', prompt: 'p', stream: false }));
    expect(body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'p' }],
      stream: false,
      options: { seed: 1, stop: ['\n\n'] },
      limits: [7],
    });
  });

  it('interpolates variables inside other text, messages as JSON', () => {
    const template = BodyTemplate.compile({
      input: 'Q: {{ prompt }}\nA:',
      tag: '{{model}}/{{stream}}/{{temperature}}',
      transcript: 'history={{messages}}',
    });
    const body = template.render(
      templateValues({
        model: 'm',
        prompt: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Why?' },
        ],
        stream: true,
        temperature: 0.5,
      }),
    );
    expect(body).toEqual({
      input: 'Q: Be brief.\n\nWhy?\nA:',
      tag: 'm/true/0.5',
      transcript:
        'history=[{"role":"system","content":"Be brief."},{"role":"user","content":"Why?"}]',
    });
  });

  it('sends the chat messages as given and extra body fields last', () => {
    const messages = [
      { role: 'system' as const, content: 'S' },
      { role: 'user' as const, content: 'U' },
    ];
    const body = BodyTemplate.compile({ messages: '{{messages}}', stream: '{{stream}}' }).render(
      templateValues({ model: 'm', prompt: messages, stream: true }),
      { stream: false, top_k: 3 },
    );
    expect(body).toEqual({ messages, stream: false, top_k: 3 });
  });

  it('never hands out the configured object of a template without variables', () => {
    const configured = { fixed: { a: 1 } };
    const template = BodyTemplate.compile(configured);
    const body = template.render(templateValues({ model: 'm', prompt: 'p', stream: true }), {
      extra: true,
    });
    expect(body).toEqual({ fixed: { a: 1 }, extra: true });
    expect(configured).toEqual({ fixed: { a: 1 } });
  });

  it('names unknown variables with a suggestion and the valid ones', () => {
    expect(
      BodyTemplate.problems({
        input: { text: '{{promt}}' },
        list: ['ok', '{{ max_token }} {{x}}'],
      }),
    ).toEqual([
      {
        path: ['input', 'text'],
        message:
          'unknown template variable {{promt}} (did you mean {{prompt}}?); valid here: {{prompt}}, {{messages}}, {{model}}, {{max_tokens}}, {{temperature}}, {{stream}}',
      },
      {
        path: ['list', 1],
        message:
          'unknown template variables {{max_token}} (did you mean {{max_tokens}}?), {{x}}; valid here: {{prompt}}, {{messages}}, {{model}}, {{max_tokens}}, {{temperature}}, {{stream}}',
      },
    ]);
  });

  it('refuses variables in keys and compiles nothing with problems', () => {
    expect(BodyTemplate.problems({ '{{model}}': 1 })).toEqual([
      { path: ['{{model}}'], message: 'template variables are replaced in values, not in keys' },
    ]);
    expect(() => BodyTemplate.compile({ a: { b: '{{nope}}' } })).toThrow(LensProviderError);
    expect(() => BodyTemplate.compile({ a: { b: '{{nope}}' } })).toThrow(
      /^body\.a\.b: unknown template variable \{\{nope\}\}/,
    );
  });
});
