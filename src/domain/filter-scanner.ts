/**
 * The tokenizer of containerd's filter language, ported from containerd's `filters/scanner.go`
 * (the revision with `-` in field names and precise errors for illegal quoted text).
 *
 * Positions are JavaScript string indices (UTF-16 code units); containerd counts UTF-8 bytes.
 * The two agree for ASCII input, which is what error messages mostly point into.
 */

/** Kinds of token; `char` is any other single character, which the parser reports as unexpected. */
export const filterTokenKinds = [
  'eof',
  'quoted',
  'value',
  'field',
  'separator',
  'operator',
  'illegal',
  'char',
] as const;

/** One of {@link filterTokenKinds}. */
export type FilterTokenKind = (typeof filterTokenKinds)[number];

/** A token and where it starts. */
export interface FilterToken {
  /** What was scanned. */
  readonly kind: FilterTokenKind;
  /** Index of its first character in the input. */
  readonly pos: number;
  /** The raw text, quotes and escapes included (empty for `eof` and `illegal` characters). */
  readonly text: string;
}

/** `next()` results that are not characters. */
export const endOfInput = -1;
/** A character the language never allows (NUL, an unpaired surrogate). */
export const illegalCharacter = -2;

const quote = 0x22; // "
const backslash = 0x5c;
const newline = 0x0a;

/** Splits a filter string into tokens, one {@link scan} at a time. */
export class FilterScanner {
  readonly #input: string;
  /** Start of the current character. */
  #pos = 0;
  /** End of the current character: where the next one starts. */
  #ppos = 0;
  /** After an operator, unquoted text is a value (which may hold `.`, `/`, `=` ...), not a field. */
  #value = false;
  #error = '';

  constructor(input: string) {
    this.#input = input;
  }

  /** Why the last `illegal` token is illegal. */
  get error(): string {
    return this.#error;
  }

  /** Index just past the last character read: where a peeked character sits. */
  get offset(): number {
    return this.#ppos;
  }

  /** Reads one character (code point), {@link endOfInput} or {@link illegalCharacter}. */
  next(): number {
    if (this.#pos >= this.#input.length) return endOfInput;
    this.#pos = this.#ppos;
    const ch = this.#input.codePointAt(this.#ppos);
    if (ch === undefined) return endOfInput;
    this.#ppos += ch > 0xffff ? 2 : 1;
    if (ch >= 0xd800 && ch <= 0xdfff) {
      this.#fail('unpaired surrogate');
      return illegalCharacter;
    }
    if (ch === 0) {
      this.#fail('unexpected null');
      return illegalCharacter;
    }
    return ch;
  }

  /** The next character, without consuming it. */
  peek(): number {
    const pos = this.#pos;
    const ppos = this.#ppos;
    const ch = this.next();
    this.#pos = pos;
    this.#ppos = ppos;
    return ch;
  }

  /** Reads the next token, skipping white space before it. */
  scan(): FilterToken {
    this.#error = '';
    let ch = this.next();
    let pos = this.#pos;
    for (;;) {
      if (ch === endOfInput) return { kind: 'eof', pos: this.#pos, text: '' };
      if (ch === illegalCharacter) return { kind: 'illegal', pos: this.#pos, text: '' };
      if (isQuoteRune(ch)) {
        const legal = this.#scanQuoted(ch);
        return { kind: legal ? 'quoted' : 'illegal', pos, text: this.#text(pos) };
      }
      if (isSeparatorRune(ch)) {
        this.#value = false;
        return { kind: 'separator', pos, text: this.#text(pos) };
      }
      if (isOperatorRune(ch)) {
        this.#scanWhile(isOperatorRune);
        this.#value = true;
        return { kind: 'operator', pos, text: this.#text(pos) };
      }
      if (isSpaceRune(ch)) {
        ch = this.next();
        pos = this.#pos;
        continue;
      }
      if (this.#value) {
        this.#scanWhile(isValueRune);
        this.#value = false;
        return { kind: 'value', pos, text: this.#text(pos) };
      }
      if (isFieldRune(ch)) {
        this.#scanWhile(isFieldRune);
        return { kind: 'field', pos, text: this.#text(pos) };
      }
      return { kind: 'char', pos: this.#pos, text: String.fromCodePoint(ch) };
    }
  }

  #text(from: number): string {
    return this.#input.slice(from, this.#ppos);
  }

  #fail(message: string): void {
    // The first problem explains the token best; later ones are consequences.
    if (this.#error === '') this.#error = message;
  }

  #scanWhile(accept: (ch: number) => boolean): void {
    while (accept(this.peek())) this.next();
  }

  /** Consumes a quoted literal up to its closing `quoteRune`; false when it is illegal. */
  #scanQuoted(quoteRune: number): boolean {
    let legal = true;
    let ch = this.next();
    while (ch !== quoteRune) {
      if (ch === newline || ch < 0) {
        this.#fail('quoted literal not terminated');
        return false;
      }
      if (ch === backslash) {
        const escape = this.#scanEscape(quoteRune);
        ch = escape.next;
        legal &&= escape.legal;
      } else {
        ch = this.next();
      }
    }
    return legal;
  }

  #scanEscape(quoteRune: number): { next: number; legal: boolean } {
    const ch = this.next();
    switch (ch) {
      case 0x61:
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76: // a b f n r t v
      case backslash:
      case quoteRune:
        return { next: this.next(), legal: true };
      case 0x78: // x
        return this.#scanDigits(this.next(), 16, 2);
      case 0x75: // u
        return this.#scanDigits(this.next(), 16, 4);
      case 0x55: // U
        return this.#scanDigits(this.next(), 16, 8);
      default:
        if (ch >= 0x30 && ch <= 0x37) return this.#scanDigits(ch, 8, 3);
        this.#fail('illegal escape sequence');
        return { next: ch, legal: false };
    }
  }

  #scanDigits(first: number, base: number, count: number): { next: number; legal: boolean } {
    let ch = first;
    let left = count;
    while (left > 0 && digitValue(ch) < base) {
      ch = this.next();
      left--;
    }
    if (left > 0) {
      this.#fail('illegal numeric escape sequence');
      return { next: ch, legal: false };
    }
    return { next: ch, legal: true };
  }
}

function digitValue(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16; // larger than any digit in any base we use
}

function isFieldRune(ch: number): boolean {
  return (
    ch === 0x2d || // -
    ch === 0x5f || // _
    (ch >= 0x41 && ch <= 0x5a) ||
    (ch >= 0x61 && ch <= 0x7a) ||
    (ch >= 0x30 && ch <= 0x39)
  );
}

function isOperatorRune(ch: number): boolean {
  return ch === 0x3d || ch === 0x21 || ch === 0x7e; // = ! ~
}

/** `"` quotes anything; `/` and `|` quote regular expressions (the parser rejects them elsewhere). */
function isQuoteRune(ch: number): boolean {
  return ch === quote || ch === 0x2f || ch === 0x7c;
}

function isSeparatorRune(ch: number): boolean {
  return ch === 0x2c || ch === 0x2e; // , .
}

/** Go's unicode.IsSpace: Latin-1 spaces, NEL and the Unicode White_Space property (no BOM). */
const spacePattern =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

function isSpaceRune(ch: number): boolean {
  return ch >= 0 && spacePattern.test(String.fromCodePoint(ch));
}

/** Go's unicode.IsGraphic (categories L, M, N, P, S, Zs), minus `,` and spaces. */
const graphicPattern = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;

function isValueRune(ch: number): boolean {
  if (ch < 0 || ch === 0x2c || isSpaceRune(ch)) return false;
  return graphicPattern.test(String.fromCodePoint(ch));
}
