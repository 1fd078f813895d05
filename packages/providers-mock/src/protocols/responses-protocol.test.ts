import { describe, expect, it } from 'vitest';
import { simulatedText } from '../token-text.js';
import { parseResponsesRequest, responsesProtocol } from './responses-protocol.js';
import type { ProtocolExchange, ProtocolRoute, StreamEncoder } from './wire-protocol.js';

const route = responsesProtocol.match('POST', '/v1/responses', {}) as ProtocolRoute;

function exchangeFor(body: Record<string, unknown>): ProtocolExchange {
  const parsed = route.parse(JSON.stringify(body), {});
  if (!parsed.ok) throw new Error(`rejected: ${parsed.error.body}`);
  return parsed.exchange;
}

interface WireEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Splits an SSE body into its events, checking each `event:` name matches the JSON type. */
function events(body: string): WireEvent[] {
  expect(body.endsWith('\n\n')).toBe(true);
  return body
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      const event = eventLine!.slice('event: '.length);
      const data = JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown>;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

/** Plays a stream the way the responder does: head, token events of `tokensPerEvent`, end. */
function playStream(
  encoder: StreamEncoder,
  plan: { reasoning: number; content: number; tokensPerEvent?: number },
): string[] {
  const perEvent = plan.tokensPerEvent ?? 1;
  const writes = [encoder.head() as string];
  for (const [isReasoning, count] of [
    [true, plan.reasoning],
    [false, plan.content],
  ] as const) {
    for (let first = 0; first < count; first += perEvent) {
      const tokens = Math.min(perEvent, count - first);
      writes.push(
        encoder.token(
          { isReasoning, firstToken: first, tokens },
          simulatedText(tokens, first),
          null,
          0,
        ) as string,
      );
    }
  }
  return writes;
}

const usage = { promptTokens: 9, completionTokens: 7, reasoningTokens: 3 };

describe('responsesProtocol routes', () => {
  it('serves POST /v1/responses only', () => {
    expect(responsesProtocol.routes).toEqual(['POST /v1/responses']);
    expect(responsesProtocol.match('GET', '/v1/responses', {})).toBeUndefined();
    expect(responsesProtocol.match('POST', '/v1/chat/completions', {})).toBeUndefined();
    expect(route.responseIdPrefix).toBe('resp_');
  });

  it('answers the rejected credential with an OpenAI 401 and accepts any other', () => {
    const body = JSON.stringify({ model: 'm', input: 'x' });
    const rejected = route.parse(body, { authorization: 'Bearer invalid-key' });
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) {
      expect(rejected.error.status).toBe(401);
      expect(JSON.parse(rejected.error.body)).toMatchObject({
        error: { type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      expect(rejected.error.body).not.toContain('invalid-key');
    }
    expect(route.parse(body, { authorization: 'Bearer sk-anything' }).ok).toBe(true);
  });

  it('uses the OpenAI error shapes for 429 and 500', () => {
    const rateLimited = route.error('rate_limit', 'slow down');
    expect(rateLimited.status).toBe(429);
    expect(JSON.parse(rateLimited.body)).toEqual({
      error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    expect(route.error('server_error', 'boom').status).toBe(500);
  });
});

describe('parseResponsesRequest', () => {
  const rejection = (body: unknown) => {
    const parsed = parseResponsesRequest(typeof body === 'string' ? body : JSON.stringify(body));
    return parsed.ok ? undefined : parsed.problem;
  };

  it('rejects what the API rejects, naming the parameter', () => {
    expect(rejection('{"model":')).toMatchObject({ param: null });
    expect(rejection({ input: 'x' })).toEqual({
      message: "Missing required parameter: 'model'.",
      param: 'model',
      code: 'missing_required_parameter',
    });
    expect(rejection({ model: 'm' })).toEqual({
      message: "Missing required parameter: 'input'.",
      param: 'input',
      code: 'missing_required_parameter',
    });
    expect(rejection({ model: 'm', input: { role: 'user' } })).toEqual({
      message:
        "Invalid type for 'input': expected a string or an array of input items, but got an object instead.",
      param: 'input',
      code: 'invalid_type',
    });
    expect(rejection({ model: 'm', input: 'x', max_output_tokens: 10 })).toEqual({
      message:
        "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 10 instead.",
      param: 'max_output_tokens',
      code: 'integer_below_min_value',
    });
    expect(rejection({ model: 'm', input: 'x', max_output_tokens: 20.5 })).toMatchObject({
      param: 'max_output_tokens',
      code: 'invalid_type',
    });
    expect(rejection({ model: 'm', input: 'x', stream: 'yes' })).toEqual({
      message: "Invalid type for 'stream': expected a boolean, but got a string instead.",
      param: 'stream',
      code: 'invalid_type',
    });
    expect(rejection({ model: 'm', input: 'x', reasoning: 'high' })).toMatchObject({
      param: 'reasoning',
      code: 'invalid_type',
    });
    expect(rejection({ model: 'm', input: 'x', instructions: 3 })).toMatchObject({
      param: 'instructions',
      code: 'invalid_type',
    });
  });

  it('reads the cap, stream, prompt size and whether reasoning was asked for', () => {
    const parsed = parseResponsesRequest(
      JSON.stringify({
        model: 'o4-mini',
        input: 'Say five words please now',
        instructions: 'Be brief',
        stream: true,
        max_output_tokens: 16,
        reasoning: { effort: 'low', summary: 'auto' },
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        model: 'o4-mini',
        stream: true,
        includeUsage: true,
        continuousUsage: false,
        maxTokens: 16,
        minTokens: undefined,
        ignoreEos: false,
        // 4 + 5 words of input, 4 + 2 words of instructions.
        promptTokens: 15,
        supportsReasoning: true,
        instructions: 'Be brief',
        reasoning: { effort: 'low', summary: 'auto' },
        temperature: 1,
      },
    });
  });

  it('counts input items like chat messages and needs a reasoning object for reasoning', () => {
    const parsed = parseResponsesRequest(
      JSON.stringify({
        model: 'm',
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'input_text', text: 'two words' }] },
        ],
        max_output_tokens: null,
        reasoning: null,
      }),
    );
    expect(parsed.ok && parsed.request).toMatchObject({
      stream: false,
      maxTokens: undefined,
      promptTokens: 4 + 2 + 4 + 2,
      supportsReasoning: false,
      reasoning: { effort: null, summary: null },
    });
  });
});

describe('the Responses stream encoder', () => {
  it('streams reasoning summary deltas, then output text deltas, then response.completed', () => {
    const request = { model: 'o4-mini', input: 'x', stream: true, reasoning: { effort: 'low' } };
    const encoder = exchangeFor(request).streamEncoder('resp_abc', 1767225600);
    expect(encoder.contentType).toBe('text/event-stream');
    const writes = playStream(encoder, { reasoning: 3, content: 4, tokensPerEvent: 2 });
    writes.push(encoder.end(usage, 'stop') as string);
    const all = events(writes.join(''));

    expect(all.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(all.map((e) => e.data.sequence_number)).toEqual(all.map((_, index) => index));
    // One write per token event: the head, 2 reasoning and 2 content events; then the end.
    expect(writes).toHaveLength(6);
    expect(
      events(writes[1]!)
        .map((e) => e.event)
        .at(-1),
    ).toBe('response.reasoning_summary_text.delta');

    const deltas = (type: string) =>
      all
        .filter((e) => e.event === type)
        .map((e) => e.data.delta)
        .join('');
    expect(deltas('response.reasoning_summary_text.delta')).toBe(simulatedText(3));
    expect(deltas('response.output_text.delta')).toBe(simulatedText(4));
    expect(all[4]!.data).toMatchObject({ item_id: 'rs_abc', output_index: 0, summary_index: 0 });
    expect(all[11]!.data).toMatchObject({
      item_id: 'msg_abc',
      output_index: 1,
      content_index: 0,
    });

    const created = all[0]!.data.response as Record<string, unknown>;
    expect(created).toMatchObject({
      id: 'resp_abc',
      object: 'response',
      created_at: 1767225600,
      status: 'in_progress',
      model: 'o4-mini',
      output: [],
      usage: null,
      reasoning: { effort: 'low', summary: null },
    });
    expect(all.at(-1)!.data.response).toMatchObject({
      id: 'resp_abc',
      status: 'completed',
      incomplete_details: null,
      output: [
        {
          id: 'rs_abc',
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: simulatedText(3) }],
        },
        {
          id: 'msg_abc',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', annotations: [], text: simulatedText(4) }],
        },
      ],
      usage: {
        input_tokens: 9,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 3 },
        total_tokens: 16,
      },
    });
  });

  it('puts the message at output index 0 without reasoning', () => {
    const encoder = exchangeFor({ model: 'm', input: 'x', stream: true }).streamEncoder(
      'resp_plain',
      1,
    );
    const writes = playStream(encoder, { reasoning: 0, content: 2 });
    writes.push(
      encoder.end({ ...usage, completionTokens: 2, reasoningTokens: 0 }, 'stop') as string,
    );
    const all = events(writes.join(''));
    expect(all.filter((e) => e.event === 'response.output_item.added')).toHaveLength(1);
    expect(all.find((e) => e.event === 'response.output_text.delta')!.data).toMatchObject({
      item_id: 'msg_plain',
      output_index: 0,
    });
    expect((all.at(-1)!.data.response as { output: unknown[] }).output).toHaveLength(1);
  });

  it('ends with response.incomplete (max_output_tokens) when the cap was hit', () => {
    const encoder = exchangeFor({
      model: 'm',
      input: 'x',
      stream: true,
      max_output_tokens: 16,
    }).streamEncoder('resp_cap', 1);
    const writes = playStream(encoder, { reasoning: 0, content: 16 });
    const end = events(
      encoder.end({ ...usage, completionTokens: 16, reasoningTokens: 0 }, 'length') as string,
    );
    expect(end.map((e) => e.event)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect((end[2]!.data.item as { status: string }).status).toBe('incomplete');
    expect(end[3]!.data.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      max_output_tokens: 16,
      usage: { output_tokens: 16 },
    });
    expect(end[3]!.data.sequence_number).toBe(events(writes.join('')).length + 3);
  });

  it('closes the reasoning item when the cap is hit before any answer text', () => {
    const encoder = exchangeFor({
      model: 'm',
      input: 'x',
      stream: true,
      reasoning: {},
    }).streamEncoder('resp_think', 1);
    playStream(encoder, { reasoning: 2, content: 0 });
    const end = events(
      encoder.end({ ...usage, completionTokens: 2, reasoningTokens: 2 }, 'length') as string,
    );
    expect(end.map((e) => e.event)).toEqual([
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect((end[3]!.data.response as { output: { type: string }[] }).output).toEqual([
      {
        id: 'rs_think',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: simulatedText(2) }],
      },
    ]);
  });

  it('ends a failed stream with an error event and response.failed', () => {
    const encoder = exchangeFor({ model: 'm', input: 'x', stream: true }).streamEncoder(
      'resp_fail',
      1,
    );
    const writes = playStream(encoder, { reasoning: 0, content: 2 });
    const failure = events(encoder.error('generation failed (simulated)') as string);
    expect(failure.map((e) => e.event)).toEqual(['error', 'response.failed']);
    expect(failure[0]!.data).toEqual({
      type: 'error',
      error: {
        type: 'server_error',
        code: 'server_error',
        message: 'generation failed (simulated)',
        param: null,
      },
      sequence_number: events(writes.join('')).length,
    });
    expect(failure[1]!.data.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'generation failed (simulated)' },
      usage: null,
    });
  });
});

describe('the non-streaming Responses body', () => {
  it('is a response object with the reasoning and message items and usage', () => {
    const body = exchangeFor({ model: 'm', input: 'x', reasoning: {} }).body(
      'resp_json',
      5,
      { reasoning: simulatedText(3), content: simulatedText(4) },
      'stop',
      usage,
    );
    expect(body.contentType).toBe('application/json');
    expect(JSON.parse(body.body)).toMatchObject({
      id: 'resp_json',
      object: 'response',
      created_at: 5,
      status: 'completed',
      output: [
        { id: 'rs_json', type: 'reasoning', summary: [{ text: simulatedText(3) }] },
        {
          id: 'msg_json',
          type: 'message',
          content: [{ type: 'output_text', text: simulatedText(4) }],
        },
      ],
      usage: { input_tokens: 9, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 } },
    });
  });

  it('says incomplete when the cap was hit', () => {
    const body = exchangeFor({ model: 'm', input: 'x', max_output_tokens: 16 }).body(
      'resp_cut',
      5,
      { reasoning: '', content: simulatedText(16) },
      'length',
      { promptTokens: 5, completionTokens: 16, reasoningTokens: 0 },
    );
    const parsed = JSON.parse(body.body) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete' }],
    });
  });
});
