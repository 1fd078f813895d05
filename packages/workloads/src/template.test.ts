import { describe, expect, it } from 'vitest';
import { parseTemplate, placeholdersOf, renderTemplate } from './template.js';

describe('templates', () => {
  it('cuts a template into text and placeholders, spaces inside braces allowed', () => {
    expect(parseTemplate('Translate into {{language}}: {{ text }}!')).toEqual([
      'Translate into ',
      { variable: 'language' },
      ': ',
      { variable: 'text' },
      '!',
    ]);
  });

  it('leaves braces that are not a placeholder as text', () => {
    const parts = parseTemplate('JSON {"a": {{b}}} and {{not a name}} and {{1x}}');
    expect(placeholdersOf(parts)).toEqual(['b']);
    expect(renderTemplate(parts, () => 'B')).toBe('JSON {"a": B} and {{not a name}} and {{1x}}');
  });

  it('lists each placeholder once, in order of first use', () => {
    expect(placeholdersOf(parseTemplate('{{b}} {{a}} {{b}}'))).toEqual(['b', 'a']);
  });

  it('fills every occurrence from the value function', () => {
    const values: Record<string, string> = { a: '1', b: '2' };
    expect(renderTemplate(parseTemplate('{{a}}+{{b}}={{a}}{{b}}'), (name) => values[name]!)).toBe(
      '1+2=12',
    );
  });
});
