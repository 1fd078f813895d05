import { formatPath } from '@llm-lens/config-fields';
import { LensProviderError } from '@llm-lens/providers-core';
import {
  parseTemplateText,
  type TemplateValues,
  type TemplateVariable,
  type TextPart,
  unknownVariablesMessage,
  valueAsText,
} from './template-variables.js';

/** A JSON object as a config file holds it. */
export type JsonObject = { [key: string]: unknown };

/** A problem of a body template at `path` (keys and indexes below `body`). */
export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

type TemplateNode =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'variable'; readonly name: TemplateVariable }
  | { readonly kind: 'text'; readonly parts: readonly TextPart[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, TemplateNode])[] }
  | { readonly kind: 'array'; readonly items: readonly TemplateNode[] };

/** Rendered in place of a node whose variable has no value: its key or item is left out. */
const ABSENT = Symbol('absent');

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function compileNode(
  value: unknown,
  path: (string | number)[],
  problems: TemplateProblem[],
): TemplateNode {
  if (typeof value === 'string') {
    const { parts, unknown } = parseTemplateText(value);
    if (unknown.length > 0) problems.push({ path, message: unknownVariablesMessage(unknown) });
    const [only] = parts;
    if (parts.length === 1 && only !== undefined && typeof only !== 'string') {
      return { kind: 'variable', name: only.variable };
    }
    return parts.every((part) => typeof part === 'string')
      ? { kind: 'literal', value }
      : { kind: 'text', parts };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => compileNode(item, [...path, index], problems));
    return items.every((item) => item.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'array', items };
  }
  if (isObject(value)) {
    const entries: (readonly [string, TemplateNode])[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (parseTemplateText(key).parts.some((part) => typeof part !== 'string')) {
        problems.push({
          path: [...path, key],
          message: 'template variables are replaced in values, not in keys',
        });
      }
      entries.push([key, compileNode(item, [...path, key], problems)]);
    }
    return entries.every(([, item]) => item.kind === 'literal')
      ? { kind: 'literal', value }
      : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

function renderNode(node: TemplateNode, values: TemplateValues): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'variable':
      return values[node.name] ?? ABSENT;
    case 'text': {
      let text = '';
      for (const part of node.parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        const value = values[part.variable];
        // A string that cannot be made whole is left out, like a lone variable without value.
        if (value === undefined) return ABSENT;
        text += valueAsText(value);
      }
      return text;
    }
    case 'array': {
      const items: unknown[] = [];
      for (const item of node.items) {
        const rendered = renderNode(item, values);
        if (rendered !== ABSENT) items.push(rendered);
      }
      return items;
    }
    case 'object': {
      const object: JsonObject = {};
      for (const [key, item] of node.entries) {
        const rendered = renderNode(item, values);
        if (rendered === ABSENT) continue;
        // defineProperty: a template key "__proto__" stays a key, as JSON.parse would keep it.
        Object.defineProperty(object, key, {
          value: rendered,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
}

/**
 * A request body template: a JSON object whose string values may hold `{{variable}}`s. A
 * string that is exactly one variable becomes its value with its JSON type (`{{messages}}` a
 * list, `{{max_tokens}}` a number, `{{stream}}` a boolean); a variable inside other text is
 * put in as text. A variable without a value (no max_tokens set) leaves its key out, or its
 * item out of a list. Parsed once; rendered per request.
 */
export class BodyTemplate {
  readonly #root: TemplateNode;

  private constructor(root: TemplateNode) {
    this.#root = root;
  }

  /** Every problem of `template`: unknown variables, variables in keys. */
  static problems(template: JsonObject): TemplateProblem[] {
    const problems: TemplateProblem[] = [];
    compileNode(template, [], problems);
    return problems;
  }

  /** Compiles `template`; throws when {@link BodyTemplate.problems} finds any. */
  static compile(template: JsonObject): BodyTemplate {
    const problems: TemplateProblem[] = [];
    const root = compileNode(template, [], problems);
    if (problems.length > 0) {
      const lines = problems.map(
        ({ path, message }) => `${formatPath(['body', ...path])}: ${message}`,
      );
      throw new LensProviderError('LENS_PROVIDER_CONFIG', lines.join('; '), {
        errorClass: 'client_error',
      });
    }
    return new BodyTemplate(root);
  }

  /** The body for one request's values, with `extraBody` fields set last (over the template's). */
  render(values: TemplateValues, extraBody?: Readonly<Record<string, unknown>>): JsonObject {
    const body = renderNode(this.#root, values) as JsonObject;
    // A literal root is the config's own object: never hand it out to be modified.
    const result: JsonObject = this.#root.kind === 'literal' ? { ...body } : body;
    if (extraBody !== undefined) Object.assign(result, extraBody);
    return result;
  }
}
