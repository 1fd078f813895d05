import { describe, expect, it } from 'vitest';
import { LensConfigError } from './config-error.js';
import { formatOf, parseSource } from './config-source.js';

function parseFailure(
  text: string,
  format: 'yaml' | 'json' | 'toml',
  file: string,
): LensConfigError {
  try {
    parseSource(text, format, file);
  } catch (error) {
    if (error instanceof LensConfigError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('formatOf', () => {
  it('knows the format from the extension, in any case', () => {
    expect(formatOf('a/lens.yaml')).toBe('yaml');
    expect(formatOf('lens.YML')).toBe('yaml');
    expect(formatOf('lens.json')).toBe('json');
    expect(formatOf('lens.toml')).toBe('toml');
  });

  it('names the valid extensions for anything else', () => {
    expect(() => formatOf('lens.ini')).toThrow(
      'lens.ini: cannot tell the config format from ".ini"; use one of .yaml, .yml, .json, .toml',
    );
    expect(() => formatOf('lensrc')).toThrowError(
      expect.objectContaining({ code: 'LENS_CONFIG_UNSUPPORTED_FORMAT', file: 'lensrc' }),
    );
  });
});

describe('parseSource', () => {
  it('names file, line and column of a YAML syntax error', () => {
    const text = 'providers:\n  - type: mock\n    models: [m\nscenarios: []\n';
    const error = parseFailure(text, 'yaml', 'lens.yaml');
    expect(error.code).toBe('LENS_CONFIG_PARSE');
    expect(error.file).toBe('lens.yaml');
    expect(error.message).toBe(
      'lens.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n\n    models: [m\nscenarios: []\n^',
    );
  });

  it('refuses duplicate YAML keys', () => {
    const error = parseFailure('a: 1\na: 2\n', 'yaml', 'lens.yaml');
    expect(error.message.split('\n')[0]).toBe(
      'lens.yaml:2:1: invalid YAML: Map keys must be unique',
    );
  });

  it('keeps YAML 1.2 scalars: yes/no/on stay strings', () => {
    expect(parseSource('a: yes\nb: on\nc: true\n', 'yaml', 'x.yaml').data).toEqual({
      a: 'yes',
      b: 'on',
      c: true,
    });
  });

  it('names line and column of a JSON syntax error on every Node version', () => {
    const error = parseFailure(
      '{\n  "providers": [\n    { "type": "mock", }\n  ]\n}\n',
      'json',
      'lens.json',
    );
    expect(error.message).toMatch(/^lens\.json:3:23: invalid JSON: /);
    expect(error.message.endsWith('    { "type": "mock", }\n                      ^')).toBe(true);
  });

  it('names line and column of a TOML syntax error', () => {
    const error = parseFailure('a = 1\nb = = 2\n', 'toml', 'lens.toml');
    expect(error.message.split('\n')[0]).toBe('lens.toml:2:5: invalid TOML: invalid value');
  });

  it('locates any field of a YAML or JSON document', () => {
    const yaml = parseSource('scenarios:\n  - prompt: x\n    concurrency: ten\n', 'yaml', 'x.yaml');
    expect(yaml.locate(['scenarios', 0, 'concurrency'])).toEqual({ line: 3, column: 5 });
    // A missing field is reported at its deepest existing parent.
    expect(yaml.locate(['scenarios', 0, 'requests'])).toEqual({ line: 2, column: 5 });
    const json = parseSource(
      '{\n  "scenarios": [\n    {"prompt": "x", "requests": 0}\n  ]\n}',
      'json',
      'x.json',
    );
    expect(json.locate(['scenarios', 0, 'requests'])).toEqual({ line: 3, column: 21 });
  });
});
