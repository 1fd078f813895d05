import { describe, expect, it } from 'vitest';
import { InfluxExportError } from './influx-error.js';
import { resolveInfluxTarget } from './influx-options.js';

const TOKEN = 's3cr3t-T0ken';

function problemOf(run: () => unknown): InfluxExportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InfluxExportError);
    expect((error as InfluxExportError).code).toBe('LENS_EXPORT_INFLUX_OPTIONS');
    return error as InfluxExportError;
  }
  throw new Error('expected an InfluxExportError');
}

describe('resolveInfluxTarget', () => {
  it('is undefined without --influx-url: the format then writes its file only', () => {
    expect(resolveInfluxTarget({ 'influx-token-env': 'INFLUX_TOKEN' }, {})).toBeUndefined();
  });

  it('writes to /write?db= with ns precision for InfluxDB 1.x, without a token when none is set', () => {
    const target = resolveInfluxTarget(
      { 'influx-url': 'http://localhost:8086', 'influx-db': 'lens' },
      {},
    );
    expect(target?.api).toBe('v1');
    expect(target?.writeUrl.href).toBe('http://localhost:8086/write?db=lens&precision=ns');
    expect(target?.authorization).toBeUndefined();
  });

  it('sends the token of INFLUX_TOKEN as Authorization: Token to 1.x too', () => {
    const target = resolveInfluxTarget(
      { 'influx-url': 'http://localhost:8086', 'influx-db': 'lens' },
      { INFLUX_TOKEN: `${TOKEN}\n` },
    );
    expect(target?.authorization).toBe(`Token ${TOKEN}`);
    expect(target?.displayUrl).not.toContain(TOKEN);
  });

  it('writes to /api/v2/write?org=&bucket= for 2.x/3.x, keeping a path prefix of the URL', () => {
    const target = resolveInfluxTarget(
      {
        'influx-url': 'https://metrics.example/influx/',
        'influx-org': 'my org',
        'influx-bucket': 'llm&lens',
        'influx-token-env': 'MY_INFLUX',
      },
      { MY_INFLUX: TOKEN },
    );
    expect(target?.api).toBe('v2');
    expect(target?.writeUrl.pathname).toBe('/influx/api/v2/write');
    expect(target?.writeUrl.searchParams.get('org')).toBe('my org');
    expect(target?.writeUrl.searchParams.get('bucket')).toBe('llm&lens');
    expect(target?.writeUrl.searchParams.get('precision')).toBe('ns');
    expect(target?.authorization).toBe(`Token ${TOKEN}`);
  });

  it('asks for a database or an org and bucket when the URL comes alone', () => {
    const error = problemOf(() =>
      resolveInfluxTarget({ 'influx-url': 'http://localhost:8086' }, {}),
    );
    expect(error.message).toContain('--influx-db');
    expect(error.message).toContain('--influx-org');
    expect(error.message).toContain('--influx-bucket');
  });

  it('refuses a database and an org/bucket together', () => {
    const error = problemOf(() =>
      resolveInfluxTarget(
        {
          'influx-url': 'http://h:8086',
          'influx-db': 'd',
          'influx-org': 'o',
          'influx-bucket': 'b',
        },
        { INFLUX_TOKEN: TOKEN },
      ),
    );
    expect(error.message).toMatch(/--influx-db .* and --influx-org\/--influx-bucket .* both given/);
  });

  it('refuses an org without a bucket and a bucket without an org', () => {
    expect(
      problemOf(() =>
        resolveInfluxTarget(
          { 'influx-url': 'http://h:8086', 'influx-org': 'o' },
          { INFLUX_TOKEN: TOKEN },
        ),
      ).message,
    ).toContain('--influx-org was given without --influx-bucket');
    expect(
      problemOf(() =>
        resolveInfluxTarget(
          { 'influx-url': 'http://h:8086', 'influx-bucket': 'b' },
          { INFLUX_TOKEN: TOKEN },
        ),
      ).message,
    ).toContain('--influx-bucket was given without --influx-org');
  });

  it('refuses a database or bucket without a URL', () => {
    expect(problemOf(() => resolveInfluxTarget({ 'influx-db': 'lens' }, {})).message).toContain(
      '--influx-url is missing',
    );
  });

  it('needs a token for 2.x/3.x and names the variable it read', () => {
    const error = problemOf(() =>
      resolveInfluxTarget(
        { 'influx-url': 'http://h:8086', 'influx-org': 'o', 'influx-bucket': 'b' },
        {},
      ),
    );
    expect(error.message).toContain('INFLUX_TOKEN is not set');
  });

  it('names a --influx-token-env variable that is not set, instead of writing without a token', () => {
    const error = problemOf(() =>
      resolveInfluxTarget(
        { 'influx-url': 'http://h:8086', 'influx-db': 'd', 'influx-token-env': 'LENS_INFLUX' },
        {},
      ),
    );
    expect(error.message).toContain('LENS_INFLUX, which is not set');
  });

  it('refuses a token a header cannot carry without quoting it', () => {
    const error = problemOf(() =>
      resolveInfluxTarget(
        { 'influx-url': 'http://h:8086', 'influx-db': 'd' },
        { INFLUX_TOKEN: `${TOKEN} with space` },
      ),
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses credentials in the URL without repeating them', () => {
    const error = problemOf(() =>
      resolveInfluxTarget({ 'influx-url': `http://admin:${TOKEN}@h:8086`, 'influx-db': 'd' }, {}),
    );
    expect(error.message).toContain('http://h:8086/');
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a URL that does not parse or is not http(s), without repeating a password', () => {
    const bad = problemOf(() =>
      resolveInfluxTarget({ 'influx-url': `ht tp://u:${TOKEN}@nowhere`, 'influx-db': 'd' }, {}),
    );
    expect(bad.message).toContain('is not a URL');
    expect(bad.message).not.toContain(TOKEN);
    expect(
      problemOf(() => resolveInfluxTarget({ 'influx-url': 'udp://h:8089', 'influx-db': 'd' }, {}))
        .message,
    ).toContain('is not http:// or https://');
  });

  it('shows only its own query parameters in messages, not a user-added p=', () => {
    const target = resolveInfluxTarget(
      { 'influx-url': `http://h:8086/?rp=week&u=me&p=${TOKEN}`, 'influx-db': 'd' },
      {},
    );
    expect(target?.writeUrl.searchParams.get('rp')).toBe('week');
    expect(target?.displayUrl).toBe('http://h:8086/write?db=d&precision=ns');
  });
});
