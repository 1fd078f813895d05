// `{{name}}` placeholders in mix templates. A placeholder is `{{`, optional spaces, a name
// (letters, digits, `_`, not starting with a digit), optional spaces, `}}`; any other `{{`
// is plain text.

/** A template cut into literal text and placeholders. */
export type TemplatePart = string | { readonly variable: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The parts of `template`, in order. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(template.slice(last, match.index));
    parts.push({ variable: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

/** The variable names `parts` use, each once, in order of first use. */
export function placeholdersOf(parts: readonly TemplatePart[]): string[] {
  const names: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' && !names.includes(part.variable)) names.push(part.variable);
  }
  return names;
}

/** The template with each placeholder replaced by `valueFor(name)`. */
export function renderTemplate(
  parts: readonly TemplatePart[],
  valueFor: (variable: string) => string,
): string {
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : valueFor(part.variable);
  return out;
}
