// JSON.parse messages carry a position on some Node versions and not on others (Node 20
// says only "Unexpected token '}', ... is not valid JSON"). This scanner finds the offset
// of the first syntax error itself, so every Node version reports the same line:column.

/** Offset of the first JSON syntax error in `text`, or undefined when `text` is valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.skipSpace();
    scanner.value();
    scanner.skipSpace();
    if (scanner.pos < text.length) return scanner.pos;
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    throw error;
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] ?? '')) this.pos++;
  }

  value(): void {
    const char = this.text[this.pos];
    if (char === '{') {
      this.object();
      return;
    }
    if (char === '[') {
      this.array();
      return;
    }
    if (char === '"') {
      this.string();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    NUMBER.lastIndex = this.pos;
    if (NUMBER.test(this.text)) {
      this.pos = NUMBER.lastIndex;
      return;
    }
    throw new SyntaxAt(this.pos);
  }

  private object(): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw new SyntaxAt(this.pos);
      this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return;
      }
      this.expect(',');
    }
  }

  private array(): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return;
      }
      this.expect(',');
    }
  }

  private string(): void {
    this.pos++;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos] ?? '';
      if (char === '"') {
        this.pos++;
        return;
      }
      if (char === '\\') {
        const escaped = this.text[this.pos + 1] ?? '';
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            throw new SyntaxAt(this.pos);
          }
          this.pos += 6;
        } else if ('"\\/bfnrt'.includes(escaped) && escaped !== '') {
          this.pos += 2;
        } else {
          throw new SyntaxAt(this.pos);
        }
        continue;
      }
      if (char < ' ') throw new SyntaxAt(this.pos);
      this.pos++;
    }
    throw new SyntaxAt(this.pos);
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) throw new SyntaxAt(this.pos);
    this.pos++;
  }
}
