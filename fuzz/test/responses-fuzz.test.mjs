// The fast subset for the OpenAI Responses API stream: 150 mutated streams and every edge
// case, served over real sockets to the built CLI (`--api responses`) at concurrency 25,
// with a fixed seed so a failure here replays with the repro line it prints (add
// --protocol openai-responses).
import { beforeAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../src/campaign.mjs';
import { openaiResponses } from '../src/protocols/openai-responses.mjs';
import { formatFailure, formatSummary } from '../src/report.mjs';

const SEED = 20261202;
const COUNT = 150;

describe(`pnpm fuzz --protocol openai-responses --count ${COUNT} --seed ${SEED}`, () => {
  let result;

  beforeAll(async () => {
    result = await runCampaign({
      protocol: openaiResponses,
      seed: SEED,
      count: COUNT,
      bisectRuns: 12,
    });
    console.log(formatSummary(result));
  }, 180_000);

  const failuresOf = (...kinds) =>
    result.failures
      .filter((failure) => kinds.includes(failure.kind))
      .map((failure) => formatFailure(SEED, failure))
      .join('\n');

  it('runs every mutated stream and every edge case', () => {
    expect(result.stats.mutatedRun).toBe(COUNT);
    expect(result.stats.edgeRun).toBe(openaiResponses.edgeCases().length);
  });

  it('never crashes the CLI', () => {
    expect(failuresOf('crashed run')).toBe('');
  });

  it('never hangs: no timeouts where the stream decided, no stuck runs', () => {
    expect(failuresOf('hang')).toBe('');
  });

  it('gives every record the error class of the reference decoder', () => {
    expect(failuresOf('wrong class')).toBe('');
  });

  it('counts token events and output tokens of successful streams exactly', () => {
    expect(failuresOf('token mismatch')).toBe('');
  });

  it('keeps the client memory bounded and the records within their limits', () => {
    expect(failuresOf('memory', 'record check')).toBe('');
  });

  it('serves every case as planned (the suite itself is consistent)', () => {
    expect(failuresOf('suite')).toBe('');
  });
});
