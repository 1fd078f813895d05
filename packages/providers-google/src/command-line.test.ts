import { describe, expect, it } from 'vitest';
import { splitCommandLine } from './command-line.js';

describe('splitCommandLine', () => {
  it('splits on blanks and keeps quoted and escaped blanks in one word', () => {
    const split = (line: string) => splitCommandLine(line, 'access_token_command');
    expect(split('gcloud auth print-access-token')).toEqual([
      'gcloud',
      'auth',
      'print-access-token',
    ]);
    expect(split('  gcloud   auth\tprint-access-token  ')).toEqual([
      'gcloud',
      'auth',
      'print-access-token',
    ]);
    expect(split(`"/opt/my tools/token" --scope 'a b' x\\ y "say \\"hi\\"" ''`)).toEqual([
      '/opt/my tools/token',
      '--scope',
      'a b',
      'x y',
      'say "hi"',
      '',
    ]);
    // No shell: these are plain characters.
    expect(split('echo $HOME; rm -rf / | cat')).toEqual([
      'echo',
      '$HOME;',
      'rm',
      '-rf',
      '/',
      '|',
      'cat',
    ]);
  });

  it('refuses an empty command and an unterminated quote, naming the setting', () => {
    expect(() => splitCommandLine('   ', 'access_token_command')).toThrow(
      /^access_token_command is empty/,
    );
    expect(() => splitCommandLine('gcloud "auth', 'access_token_command')).toThrow(
      /^access_token_command has an unterminated " quote/,
    );
  });
});
