/**
 * containerd evaluates `~=` with Go's regexp package (RE2 syntax, MatchString = unanchored
 * search). This translates that syntax into an equivalent JavaScript RegExp (always with the `u`
 * flag, so it matches code points like Go does) and rejects what Go rejects, so a filter that
 * works against containerd works here with the same meaning.
 *
 * Differences that remain: flag groups are accepted only at the start (`(?i)...`), `(?U)` is not
 * supported, and `\S` inside a bracket class uses JavaScript's (wider) notion of space. Like Go,
 * there are no backreferences and no lookaround. JavaScript backtracks where RE2 does not, so a
 * pathological pattern such as `(a+)+$` can be slow on long values; callers bound value sizes.
 */

/** JavaScript regexp syntax characters; with the `u` flag only these may be escaped by `\`. */
const syntaxCharacters = new Set('^$\\.*+?()[]{}|/');

/** Go's POSIX classes (`[[:alpha:]]`), as bracket-class contents. */
const posixClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Go's `\s`: ASCII white space only (JavaScript's `\s` also takes `\v` and Unicode spaces). */
const goSpace = '\\t\\n\\f\\r ';

interface GoFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** Compiles a Go regexp to a RegExp with the same `test()` result as Go's MatchString; throws Error. */
export function compileGoRegexp(pattern: string): RegExp {
  const flags: GoFlags = { i: false, m: false, s: false };
  let rest = pattern;
  for (
    let group = /^\(\?([A-Za-z]+)\)/.exec(rest);
    group;
    group = /^\(\?([A-Za-z]+)\)/.exec(rest)
  ) {
    for (const flag of group[1] ?? '') {
      if (flag !== 'i' && flag !== 'm' && flag !== 's') {
        throw new Error(`invalid regular expression: flag ${flag} is not supported`);
      }
      flags[flag] = true;
    }
    rest = rest.slice(group[0].length);
  }
  const source = new GoRegexpTranslator(rest, flags).translate();
  try {
    return new RegExp(source, flags.i ? 'iu' : 'u');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `invalid regular expression: ${reason.replace(/^Invalid regular expression: \/.*\/[a-z]*: /su, '')}`,
      { cause: error },
    );
  }
}

class GoRegexpTranslator {
  readonly #chars: readonly string[];
  readonly #flags: GoFlags;
  #i = 0;

  constructor(pattern: string, flags: GoFlags) {
    this.#chars = Array.from(pattern);
    this.#flags = flags;
  }

  translate(): string {
    let out = '';
    for (let c = this.#take(); c !== undefined; c = this.#take()) {
      switch (c) {
        case '\\':
          out += this.#escape(false);
          break;
        case '[':
          out += this.#bracketClass();
          break;
        case '(':
          out += this.#group();
          break;
        case '.': // Go's `.` excludes only `\n`; JavaScript's also excludes `\r`, U+2028 and U+2029.
          out += this.#flags.s ? '[\\s\\S]' : '[^\\n]';
          break;
        case '^': // Go's multi-line anchors know only `\n` as a line end.
          out += this.#flags.m ? '(?<![^\\n])' : '^';
          break;
        case '$':
          out += this.#flags.m ? '(?![^\\n])' : '$';
          break;
        case '{':
          out += this.#brace();
          break;
        case '}':
        case ']': // literal in Go, a syntax error in JavaScript's `u` mode
          out += `\\${c}`;
          break;
        default:
          out += c;
      }
    }
    return out;
  }

  #take(): string | undefined {
    return this.#chars[this.#i++];
  }

  #peek(offset = 0): string | undefined {
    return this.#chars[this.#i + offset];
  }

  #fail(problem: string): never {
    throw new Error(`invalid regular expression: ${problem}`);
  }

  #group(): string {
    if (this.#peek() !== '?') return '(';
    const next = this.#peek(1);
    const after = this.#peek(2);
    if (next === ':') {
      this.#i += 2;
      return '(?:';
    }
    if (next === 'P' && after === '<') {
      this.#i += 3;
      return '(?<';
    }
    if (next === '<' && after !== '=' && after !== '!') {
      this.#i += 2;
      return '(?<';
    }
    if (next === '=' || next === '!' || next === '<') this.#fail('lookaround is not supported');
    return this.#fail('flag groups are supported only at the start of the expression');
  }

  /** A repetition `{n}`, `{n,}` or `{n,m}`; anything else is a literal brace in Go. */
  #brace(): string {
    const ahead = this.#chars.slice(this.#i, this.#i + 24).join('');
    const repeat = /^(\d+)(,(\d*))?\}/.exec(ahead);
    if (!repeat) return '\\{';
    const min = Number(repeat[1]);
    const max = repeat[3] === undefined || repeat[3] === '' ? min : Number(repeat[3]);
    if (min > 1000 || max > 1000 || max < min) this.#fail(`invalid repeat count {${repeat[0]}`);
    this.#i += Array.from(repeat[0]).length;
    return `{${repeat[0]}`;
  }

  #bracketClass(): string {
    let out = '[';
    if (this.#peek() === '^') {
      this.#i++;
      out += '^';
    }
    if (this.#peek() === ']') {
      this.#i++; // Go takes a `]` right after `[` or `[^` literally
      out += '\\]';
    }
    for (;;) {
      const c = this.#take();
      if (c === undefined) this.#fail('missing closing ]');
      if (c === ']') return `${out}]`;
      if (c === '\\') {
        out += this.#escape(true);
      } else if (c === '[' && this.#peek() === ':') {
        out += this.#posixClass();
      } else {
        out += c === '[' ? '\\[' : c;
      }
    }
  }

  #posixClass(): string {
    const ahead = this.#chars.slice(this.#i, this.#i + 12).join('');
    const named = /^:(\^?)([a-z]+):\]/.exec(ahead);
    const ranges = named ? posixClasses[named[2] ?? ''] : undefined;
    if (!named || ranges === undefined) return this.#fail('invalid character class range');
    if (named[1] === '^') this.#fail(`negated class [:^${named[2]}:] is not supported`);
    this.#i += named[0].length;
    return ranges;
  }

  #escape(inClass: boolean): string {
    const c = this.#take();
    if (c === undefined) return this.#fail('trailing backslash at end of expression');
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? goSpace : `[${goSpace}]`;
      case 'S':
        return inClass ? '\\S' : `[^${goSpace}]`;
      case 'p':
      case 'P':
        return this.#unicodeClass(c === 'P', inClass);
      case 'a':
        return '\\x07';
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'x':
        return this.#hexEscape();
      default:
    }
    if (!inClass) {
      if (c === 'b' || c === 'B') return `\\${c}`;
      if (c === 'A') return '(?<![\\s\\S])';
      if (c === 'z') return '(?![\\s\\S])';
      if (c === 'Q') return this.#quotedText();
    }
    if (c >= '0' && c <= '7') return this.#octalEscape(c);
    if (c.length === 1 && c < '\x80' && !/[0-9A-Za-z]/.test(c)) return literal(c);
    return this.#fail(`invalid escape sequence \\${c}`);
  }

  #unicodeClass(negated: boolean, inClass: boolean): string {
    let name = this.#take();
    if (name === '{') {
      const end = this.#chars.indexOf('}', this.#i);
      if (end < 0) this.#fail('invalid character class range');
      name = this.#chars.slice(this.#i, end).join('');
      this.#i = end + 1;
    }
    if (name === undefined || name === '' || name === '^') {
      return this.#fail('invalid character class range');
    }
    let negate = negated;
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    if (name === 'Any') {
      if (inClass && negate) this.#fail('negated \\p{Any} inside a class is not supported');
      const any = '\\u{0}-\\u{10FFFF}';
      return inClass ? any : `[${negate ? '^' : ''}${any}]`;
    }
    // Go takes general categories (L, Lu) and script names (Greek); JavaScript needs `Script=`.
    const property = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    return `\\${negate ? 'P' : 'p'}{${property}}`;
  }

  #hexEscape(): string {
    if (this.#peek() === '{') {
      const end = this.#chars.indexOf('}', this.#i);
      const hex = end < 0 ? '' : this.#chars.slice(this.#i + 1, end).join('');
      if (!/^[0-9A-Fa-f]{1,8}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) {
        this.#fail('invalid escape sequence \\x{...}');
      }
      this.#i = end + 1;
      return `\\u{${hex}}`;
    }
    const hex = `${this.#peek() ?? ''}${this.#peek(1) ?? ''}`;
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.#fail('invalid escape sequence \\x');
    this.#i += 2;
    return `\\x${hex}`;
  }

  /** Go: `\0`, `\0nn`, `\nn`, `\nnn` are octal; a lone `\1`..`\7` would be a backreference. */
  #octalEscape(first: string): string {
    let digits = first;
    while (digits.length < 3 && /^[0-7]$/.test(this.#peek() ?? '')) digits += this.#take() ?? '';
    if (digits.length === 1 && first !== '0') this.#fail(`invalid escape sequence \\${first}`);
    return `\\u{${Number.parseInt(digits, 8).toString(16)}}`;
  }

  /** `\Q...\E`: literal text up to `\E` or the end. */
  #quotedText(): string {
    let out = '';
    for (let c = this.#take(); c !== undefined; c = this.#take()) {
      if (c === '\\' && this.#peek() === 'E') {
        this.#i++;
        break;
      }
      out += literal(c);
    }
    return out;
  }
}

/** `c` as a literal that means itself both inside and outside a `u`-mode bracket class. */
function literal(c: string): string {
  if (syntaxCharacters.has(c)) return `\\${c}`;
  if (c.length === 1 && c < '\x80' && !/[0-9A-Za-z]/.test(c)) {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  return c;
}
