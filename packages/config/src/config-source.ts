// Turning a config file's text into plain data, with file:line:column on syntax errors
// and a way to find the line of any field for validation messages.
import { extname } from 'node:path';
import type { IssuePath } from '@llm-lens/config-fields';
import { parse as parseToml, TomlError } from 'smol-toml';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { LensConfigError } from './config-error.js';
import { jsonErrorOffset } from './json-error-position.js';

/** A file format the loader reads. */
export type ConfigFormat = 'yaml' | 'json' | 'toml';

/** 1-based position in a file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Parsed file content plus a way to find where a field was written. */
export interface ConfigSource {
  data: unknown;
  /** Position of the deepest existing node on `path`, when the format allows it. */
  locate(path: IssuePath): SourcePosition | undefined;
}

const FORMATS: Record<string, ConfigFormat> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.toml': 'toml',
};

/** Extensions the loader accepts, with their formats. */
export const CONFIG_FILE_EXTENSIONS: readonly string[] = Object.keys(FORMATS);

/** The format of `file` from its extension; throws LENS_CONFIG_UNSUPPORTED_FORMAT otherwise. */
export function formatOf(file: string): ConfigFormat {
  const extension = extname(file).toLowerCase();
  const format = FORMATS[extension];
  if (format !== undefined) return format;
  const got = extension === '' ? 'no extension' : `"${extension}"`;
  throw new LensConfigError(
    'LENS_CONFIG_UNSUPPORTED_FORMAT',
    `${file}: cannot tell the config format from ${got}; use one of ${CONFIG_FILE_EXTENSIONS.join(', ')}`,
    { file },
  );
}

/** Parses `text` as `format`; syntax errors throw LENS_CONFIG_PARSE naming file, line and column. */
export function parseSource(text: string, format: ConfigFormat, file: string): ConfigSource {
  switch (format) {
    case 'yaml':
      return parseYaml(text, file);
    case 'json':
      return parseJson(text, file);
    case 'toml':
      return parseTomlSource(text, file);
  }
}

function parseYaml(text: string, file: string): ConfigSource {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: `yes`/`no`/`on` stay strings, duplicate keys are errors.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const [error] = doc.errors;
  if (error !== undefined) {
    const position = error.linePos?.[0];
    // The yaml message ends in " at line L, column C:\n\n<excerpt>"; keep reason and excerpt.
    const [reason = error.message, excerpt = ''] = error.message.split(
      / at line \d+, column \d+:\n\n/,
    );
    throw parseError(file, 'YAML', reason, position?.line, position?.col, excerpt);
  }
  return {
    data: doc.toJS({ maxAliasCount: 100 }),
    locate: (path) => locateInYaml(doc.contents, path, lineCounter),
  };
}

function parseJson(text: string, file: string): ConfigSource {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text) ?? text.length;
    const { line, column } = positionOf(text, offset);
    const reason = error instanceof Error ? jsonReason(error.message) : String(error);
    throw parseError(file, 'JSON', reason, line, column, excerptAt(text, line, column));
  }
  let located: ((path: IssuePath) => SourcePosition | undefined) | undefined;
  return {
    data,
    locate: (path) => {
      // Valid JSON is valid YAML; its node ranges give the positions. Parsed only on error.
      if (located === undefined) {
        const lineCounter = new LineCounter();
        const doc = parseDocument(text, { lineCounter });
        located = (p) => locateInYaml(doc.contents, p, lineCounter);
      }
      return located(path);
    },
  };
}

function jsonReason(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .trim();
}

function parseTomlSource(text: string, file: string): ConfigSource {
  try {
    return { data: parseToml(text), locate: () => undefined };
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? '';
    throw parseError(file, 'TOML', reason, error.line, error.column, error.codeblock);
  }
}

function parseError(
  file: string,
  format: string,
  reason: string,
  line: number | undefined,
  column: number | undefined,
  excerpt: string,
): LensConfigError {
  const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  const tail = excerpt.trim() === '' ? '' : `\n\n${excerpt.trimEnd()}`;
  return new LensConfigError('LENS_CONFIG_PARSE', `${where}: invalid ${format}: ${reason}${tail}`, {
    file,
  });
}

function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

function excerptAt(text: string, line: number, column: number): string {
  const source = text.split('\n')[line - 1] ?? '';
  return `${source}\n${' '.repeat(Math.max(0, column - 1))}^`;
}

function locateInYaml(
  root: Node | null,
  path: IssuePath,
  lineCounter: LineCounter,
): SourcePosition | undefined {
  let node: unknown = root;
  let offset = isNode(root) ? root.range?.[0] : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      // Point at the key: it is where a reader looks, and it exists even for `key:` with no value.
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'range' in value;
}
