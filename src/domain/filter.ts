import { invalidArgument } from './errors.ts';
import { FilterScanner, endOfInput, type FilterToken } from './filter-scanner.ts';
import { unquoteFilterLiteral } from './filter-unquote.ts';
import { compileGoRegexp } from './go-regexp.ts';

/**
 * containerd's filter language (`filters` package of containerd 1.6/1.7), parsed the way
 * containerd parses it so that `ctr ... --filter` / `ctr events` expressions mean the same here:
 *
 *   selectors := selector ("," selector)*       every selector must match (AND)
 *   selector  := fieldpath [operator value]     no operator: the field is present
 *   fieldpath := field ("." field)*
 *   field     := [A-Za-z0-9_-]+ | "quoted"
 *   operator  := "==" | "!=" | "~="             `~=` is a Go regular expression, unanchored
 *   value     := unquoted text up to `,` or space | "quoted" | /regexp/ or |regexp| after `~=`
 *
 * Several filter strings are OR'ed ({@link parseFilters}).
 */

/**
 * containerd's `Adaptor.Field`: the value at `fieldpath`, or undefined when the object has no
 * such field. An empty string is a present, empty value (a label set to "").
 */
export type FieldAdaptor = (fieldpath: readonly string[]) => string | undefined;

/** A parsed filter: a predicate over anything an adaptor can describe. */
export interface Filter {
  /** True when the object behind `adaptor` satisfies the filter. */
  match(adaptor: FieldAdaptor): boolean;
}

/** The filter that matches everything: what no filter, or an empty one, means. */
export const matchEverything: Filter = Object.freeze({ match: () => true });

/** The three operators, plus the implicit presence test. */
type Operator = 'present' | '==' | '!=' | '~=';

class Selector implements Filter {
  readonly #fieldpath: readonly string[];
  readonly #operator: Operator;
  readonly #value: string;
  readonly #pattern: RegExp | undefined;

  constructor(fieldpath: readonly string[], operator: Operator, value = '', pattern?: RegExp) {
    this.#fieldpath = fieldpath;
    this.#operator = operator;
    this.#value = value;
    this.#pattern = pattern;
  }

  match(adaptor: FieldAdaptor): boolean {
    const value = adaptor(this.#fieldpath);
    switch (this.#operator) {
      case 'present':
        return value !== undefined;
      case '==':
        return value !== undefined && value === this.#value;
      case '!=': // as in containerd, a missing field counts as "": it differs from any non-empty value
        return (value ?? '') !== this.#value;
      case '~=': // as in containerd, a missing field is matched as ""
        return this.#pattern?.test(value ?? '') ?? false;
    }
  }
}

class AllOf implements Filter {
  constructor(readonly filters: readonly Filter[]) {}

  match(adaptor: FieldAdaptor): boolean {
    return this.filters.every((filter) => filter.match(adaptor));
  }
}

class AnyOf implements Filter {
  constructor(readonly filters: readonly Filter[]) {}

  match(adaptor: FieldAdaptor): boolean {
    return this.filters.some((filter) => filter.match(adaptor));
  }
}

/**
 * Parses one filter (selectors joined by `,`). The empty string matches everything, as in
 * containerd. Throws InvalidArgument naming the expression, the problem and its position.
 */
export function parseFilter(expression: string): Filter {
  if (expression === '') return matchEverything;
  return new FilterParser(expression).parse();
}

/**
 * Parses filters that are OR'ed (containerd's `ParseAll`): an object matches when any filter
 * matches. No filters, or any empty filter, match everything. Throws InvalidArgument.
 */
export function parseFilters(expressions: readonly string[]): Filter {
  const filters = expressions.map(parseFilter);
  if (filters.length === 0 || filters.includes(matchEverything)) return matchEverything;
  return filters.length === 1 && filters[0] !== undefined ? filters[0] : new AnyOf(filters);
}

class FilterParser {
  readonly #input: string;
  readonly #scanner: FilterScanner;

  constructor(input: string) {
    this.#input = input;
    this.#scanner = new FilterScanner(input);
  }

  parse(): Filter {
    const selectors = [this.#selector()];
    for (;;) {
      const ch = this.#scanner.peek();
      if (ch === endOfInput) break;
      if (ch !== 0x2c) {
        const text = ch < 0 ? 'an illegal character' : JSON.stringify(String.fromCodePoint(ch));
        this.#fail(this.#scanner.offset, `unexpected input: ${text}`);
      }
      this.#scanner.scan(); // the `,`
      selectors.push(this.#selector());
    }
    return selectors.length === 1 && selectors[0] ? selectors[0] : new AllOf(selectors);
  }

  #selector(): Selector {
    const fieldpath = this.#fieldpath();
    const ch = this.#scanner.peek();
    if (ch === 0x2c || ch === endOfInput) return new Selector(fieldpath, 'present');

    const operator = this.#operator();
    // Only a regular expression may use `/.../` or `|...|` quotes, which spare its backslashes.
    const token = this.#scanner.scan();
    const value = this.#value(token, operator === '~=');
    if (operator !== '~=') return new Selector(fieldpath, operator, value);
    try {
      return new Selector(fieldpath, operator, value, compileGoRegexp(value));
    } catch (error) {
      return this.#fail(token.pos, error instanceof Error ? error.message : String(error));
    }
  }

  #fieldpath(): string[] {
    const fields = [this.#field()];
    while (this.#scanner.peek() === 0x2e) {
      this.#scanner.scan(); // the `.`
      fields.push(this.#field());
    }
    return fields;
  }

  #field(): string {
    const token = this.#scanner.scan();
    switch (token.kind) {
      case 'field':
        return token.text;
      case 'quoted':
        return this.#unquote(token, false);
      case 'illegal':
        return this.#fail(token.pos, this.#scanner.error);
      default:
        return this.#fail(token.pos, 'expected field or quoted');
    }
  }

  #operator(): Operator {
    const token = this.#scanner.scan();
    if (token.kind === 'illegal') this.#fail(token.pos, this.#scanner.error);
    if (token.kind !== 'operator') this.#fail(token.pos, 'expected an operator ("=="|"!="|"~=")');
    if (token.text === '==' || token.text === '!=' || token.text === '~=') return token.text;
    return this.#fail(token.pos, `unsupported operator ${JSON.stringify(token.text)}`);
  }

  #value(token: FilterToken, allowRegexpQuotes: boolean): string {
    switch (token.kind) {
      case 'value':
      case 'field':
        return token.text;
      case 'quoted':
        return this.#unquote(token, allowRegexpQuotes);
      case 'illegal':
        return this.#fail(token.pos, this.#scanner.error);
      default:
        return this.#fail(token.pos, 'expected value or quoted');
    }
  }

  #unquote(token: FilterToken, allowRegexpQuotes: boolean): string {
    if (!allowRegexpQuotes && !token.text.startsWith('"')) {
      this.#fail(token.pos, 'invalid quote encountered');
    }
    try {
      return unquoteFilterLiteral(token.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.#fail(token.pos, `unquoting failed: ${reason}`);
    }
  }

  #fail(pos: number, problem: string): never {
    throw invalidArgument(`invalid filter ${JSON.stringify(this.#input)}: ${problem} at ${pos}`);
  }
}

/**
 * An adaptor over plain data (an event payload, a record): walks own properties by path.
 * Strings are returned as they are, numbers, booleans and bigints as text, objects and arrays
 * as their JSON (so a bare path to one is present); null, undefined and anything else are
 * missing. As containerd's label adaptors do, a key with dots also matches unquoted: when
 * `a` has no key `b`, `a.b.c` looks up the key `"b.c"`.
 */
export function adaptObject(root: unknown): FieldAdaptor {
  return (fieldpath) => lookup(root, fieldpath, 0);
}

function lookup(node: unknown, path: readonly string[], index: number): string | undefined {
  if (index === path.length) return render(node);
  if (typeof node !== 'object' || node === null) return undefined;
  const key = path[index] ?? '';
  if (Object.hasOwn(node, key)) return lookup(property(node, key), path, index + 1);
  const joined = path.slice(index).join('.');
  if (index < path.length - 1 && Object.hasOwn(node, joined)) return render(property(node, joined));
  return undefined;
}

function property(node: object, key: string): unknown {
  return (node as Record<string, unknown>)[key];
}

function render(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? undefined : toJson(value);
    default:
      return undefined;
  }
}

function toJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === 'bigint' ? inner.toString() : inner,
    );
  } catch {
    return '[unserialisable]'; // a cycle: still present, still non-empty
  }
}
