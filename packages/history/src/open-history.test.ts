import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryError } from './history-error.js';
import { defaultHistoryPath, openHistory } from './open-history.js';
import { withoutPassword } from './postgres-backend.js';

describe('defaultHistoryPath', () => {
  it('is under XDG_DATA_HOME when set, else ~/.local/share', () => {
    expect(defaultHistoryPath({ XDG_DATA_HOME: '/data/me' })).toBe('/data/me/llm-lens/history.db');
    expect(defaultHistoryPath({})).toBe(join(homedir(), '.local/share/llm-lens/history.db'));
    // The XDG spec: a relative value is invalid and ignored.
    expect(defaultHistoryPath({ XDG_DATA_HOME: 'rel' })).toBe(
      join(homedir(), '.local/share/llm-lens/history.db'),
    );
  });
});

describe('openHistory', () => {
  it('rejects a location with another scheme, naming what is valid', async () => {
    const error = await openHistory('mysql://db/lens').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as HistoryError).code).toBe('LENS_HISTORY_LOCATION_INVALID');
    expect((error as HistoryError).message).toContain('"mysql:" is not supported');
    await expect(openHistory(' ')).rejects.toMatchObject({ code: 'LENS_HISTORY_LOCATION_INVALID' });
  });

  it('reports an unreachable PostgreSQL server without its password', async () => {
    const error = await openHistory('postgresql://lens:s3cret@127.0.0.1:1/lens').catch(
      (e: unknown) => e,
    );
    expect((error as HistoryError).code).toBe('LENS_HISTORY_DATABASE_FAILED');
    expect((error as HistoryError).message).toContain('postgresql://lens:***@127.0.0.1:1/lens');
    expect((error as HistoryError).message).not.toContain('s3cret');
  });

  it('hides the password of a URL', () => {
    expect(withoutPassword('postgres://u:p@h:5432/d?sslmode=require')).toBe(
      'postgres://u:***@h:5432/d?sslmode=require',
    );
    expect(withoutPassword('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});
