import { describe, expect, it } from 'vitest';
import {
  parseWriteLogLine,
  WriteLog,
  type WriteRecord,
  writeRecordToJsonLine,
} from './write-log.js';

const record: WriteRecord = {
  requestId: 'req-1',
  path: '/v1/chat/completions',
  arrivalNs: 123456789012345678n,
  firstByteNs: 123456789012400000n,
  tokenWritesNs: [123456789112345678n, 123456789122345678n],
  endNs: 123456789122400000n,
  status: 200,
  outcome: 'completed',
};

describe('write log', () => {
  it('writes ns stamps as exact decimal strings, one line per record', () => {
    const line = writeRecordToJsonLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      requestId: 'req-1',
      path: '/v1/chat/completions',
      status: 200,
      outcome: 'completed',
      arrivalNs: '123456789012345678',
      firstByteNs: '123456789012400000',
      tokenWritesNs: ['123456789112345678', '123456789122345678'],
      endNs: '123456789122400000',
    });
  });

  it('parses its own lines back without losing a nanosecond', () => {
    expect(parseWriteLogLine(writeRecordToJsonLine(record))).toEqual(record);
    const inFlight = { ...record, firstByteNs: undefined, endNs: undefined, outcome: undefined };
    expect(parseWriteLogLine(writeRecordToJsonLine(inFlight))).toEqual(inFlight);
  });

  it('rejects a line whose stamps are not decimal strings', () => {
    expect(() => parseWriteLogLine('{"requestId":"a","path":"/","arrivalNs":12}')).toThrow(
      /bad arrivalNs: expected a decimal string of ns/,
    );
  });

  it('keeps records in arrival order and finds the latest by id', () => {
    const log = new WriteLog();
    log.add({ ...record, requestId: 'a' });
    log.add({ ...record, requestId: 'b' });
    const retry = { ...record, requestId: 'a', status: 429 };
    log.add(retry);
    expect(log.records.map((r) => r.requestId)).toEqual(['a', 'b', 'a']);
    expect(log.get('a')).toBe(retry);
    log.clear();
    expect(log.records).toHaveLength(0);
    expect(log.get('b')).toBeUndefined();
  });
});
