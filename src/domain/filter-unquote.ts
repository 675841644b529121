/**
 * Decodes a quoted literal of the filter language: Go string syntax, with `/` and `|` accepted as
 * quotes too (containerd's `filters/quote.go`, itself a copy of Go's strconv.Unquote).
 *
 * Go strings are bytes, so `\x` and octal escapes insert raw bytes: `"\xe7\x89\x9b"` is `牛`.
 * We collect bytes the same way and decode them as UTF-8 at the end; bytes that are not valid
 * UTF-8 can never equal a JavaScript string, so they are rejected instead of kept.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const simpleEscapes: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
};

const hexDigits: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Returns the text `literal` quotes, or throws an Error saying what is wrong with it. */
export function unquoteFilterLiteral(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || quote === undefined || literal.at(-1) !== quote) {
    throw new Error('quote syntax error');
  }
  if (quote !== '"' && quote !== '/' && quote !== '|') throw new Error('quote syntax error');
  const body = literal.slice(1, -1);
  if (body.includes('\n')) throw new Error('quote syntax error');
  if (!body.includes('\\') && !body.includes(quote)) return body;

  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const byte of encoder.encode(text)) bytes.push(byte);
  };
  let i = 0;
  while (i < body.length) {
    const ch = String.fromCodePoint(body.codePointAt(i) ?? 0);
    if (ch === quote) throw new Error('quote syntax error');
    if (ch !== '\\') {
      pushText(ch);
      i += ch.length;
      continue;
    }
    const c = body[i + 1];
    if (c === undefined) throw new Error('quote syntax error');
    i += 2;
    const simple = simpleEscapes[c];
    const digits = hexDigits[c];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (digits !== undefined) {
      const hex = body.slice(i, i + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) throw new Error('quote syntax error');
      i += digits;
      const value = Number.parseInt(hex, 16);
      if (c === 'x') {
        bytes.push(value); // a raw byte, as in Go
      } else {
        if (value > 0x10ffff) throw new Error('quote syntax error');
        pushText(String.fromCodePoint(value)); // a surrogate encodes as U+FFFD, as in Go
      }
    } else if (c >= '0' && c <= '7') {
      const octal = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(octal)) throw new Error('quote syntax error');
      const value = Number.parseInt(octal, 8);
      if (value > 255) throw new Error('quote syntax error');
      i += 2;
      bytes.push(value);
    } else if (c === quote) {
      bytes.push(c.charCodeAt(0));
    } else {
      throw new Error('quote syntax error');
    }
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    throw new Error('escapes do not form valid UTF-8');
  }
}
