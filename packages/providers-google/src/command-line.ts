import { LensProviderError } from '@llm-lens/providers-core';

/**
 * Splits a command line into argv the way a POSIX shell splits words, without running a
 * shell: blanks separate words; '…' keeps everything literally; "…" keeps blanks and
 * honours \" and \\; a backslash outside quotes escapes the next character. No variables,
 * globs, pipes or redirections: the command runs as the one program it names.
 */
export function splitCommandLine(line: string, setting: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = '';
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = '';
      else if (char === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (char === ' ' || char === '\t' || char === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== '') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `${setting} has an unterminated ${quote} quote; write it as a list of words instead, e.g. [gcloud, auth, print-access-token]`,
    );
  }
  if (inWord) words.push(word);
  if (words.length === 0) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `${setting} is empty; give the command that prints an access token, e.g. gcloud auth print-access-token`,
    );
  }
  return words;
}
