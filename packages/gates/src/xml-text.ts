// XML 1.0 allows only tab, LF and CR among the C0 controls, and no lone surrogates or
// U+FFFE/U+FFFF, not even as character references (XML 1.0 §2.2): those are written as
// visible `\uXXXX` text so a server's odd error message cannot make the report unparsable.

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The text with every character XML 1.0 cannot carry replaced by `\uXXXX`. */
function withXmlCharsOnly(text: string): string {
  let result = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isPair = isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1));
    if (isPair) {
      result += text.slice(i, i + 2);
      i += 1;
      continue;
    }
    const isForbidden =
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
      code === 0xfffe ||
      code === 0xffff ||
      isHighSurrogate(code) ||
      isLowSurrogate(code);
    result += isForbidden ? `\\u${code.toString(16).padStart(4, '0')}` : text[i];
  }
  return result;
}

/**
 * Text for an element's content: `&`, `<`, `>` escaped, forbidden characters made visible,
 * CR as a reference (a parser reads a literal CR as LF, XML 1.0 §2.11).
 */
export function escapeXmlText(text: string): string {
  return withXmlCharsOnly(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/**
 * Text for a double-quoted attribute: also quotes, and tab and LF as character references,
 * which attribute-value normalization would otherwise turn into spaces (XML 1.0 §3.3.3).
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}
