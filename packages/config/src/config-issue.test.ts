import { describe, expect, it } from 'vitest';
import { formatIssues } from './config-issue.js';

describe('formatIssues', () => {
  const issues = [
    { path: 'scenarios[1].concurrency', message: 'must be a positive integer, got "ten"' },
    { path: 'providers[0].typ', message: 'unknown key, did you mean "type"?', line: 3, column: 5 },
  ];

  it('renders one "path: message" line per issue', () => {
    expect(formatIssues(issues)).toBe(
      'scenarios[1].concurrency: must be a positive integer, got "ten"\nproviders[0].typ: unknown key, did you mean "type"?',
    );
  });

  it('prefixes the file, and line:column when known', () => {
    expect(formatIssues(issues, 'lens.yaml').split('\n')).toEqual([
      'lens.yaml: scenarios[1].concurrency: must be a positive integer, got "ten"',
      'lens.yaml:3:5: providers[0].typ: unknown key, did you mean "type"?',
    ]);
  });
});
