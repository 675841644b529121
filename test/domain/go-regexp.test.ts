import { describe, expect, it } from 'vitest';
import { compileGoRegexp } from '../../src/domain/go-regexp.ts';

/** Go MatchString results, as Go's regexp package gives them. */
describe('compileGoRegexp', () => {
  it.each([
    ['web', 'my-web-1', true],
    ['^web', 'my-web-1', false],
    ['1$', 'my-web-1', true],
    ['a.c', 'a\rc', true], // Go's . excludes only \n
    ['a.c', 'a\nc', false],
    ['(?s)a.c', 'a\nc', true],
    ['(?i)WEB', 'web', true],
    ['(?m)^b$', 'a\nb\nc', true],
    ['(?m)^b$', 'a\rb\rc', false], // Go's lines end at \n only
    ['^b$', 'a\nb', false],
    ['\\Aab\\z', 'ab', true],
    ['\\Aab\\z', 'ab\n', false],
    ['a{2}', 'aa', true],
    ['a{,2}', 'a{,2}', true], // not a repetition in Go: literal
    ['x{', 'x{', true],
    ['a}', 'a}', true],
    ['[]a]', ']', true],
    ['[^]a]', ']', false],
    ['[[:digit:]]+', 'abc123', true],
    ['^[[:alpha:]_]+$', 'ab_c', true],
    ['\\-\\#\\:', '-#:', true], // Go allows escaping any ASCII punctuation
    ['[\\-a]', '-', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['\\x{725b}', '牛', true],
    ['\\x41', 'A', true],
    ['\\101', 'A', true],
    ['\\0', '\u0000', true],
    ['\\pL+', 'é', true],
    ['\\p{Greek}', 'λ', true],
    ['\\p{^Greek}', 'λ', false],
    ['\\PL', '1', true],
    ['\\s', '\u00a0', false], // Go's \s is ASCII only
    ['\\S', '\u00a0', true],
    ['(?P<name>x)y', 'xy', true],
    ['(?:ab)+', 'abab', true],
    ['^.$', '牛', true],
    ['/tasks/', '/tasks/exit', true],
  ])('matches %j against %j as Go does', (pattern, input, expected) => {
    expect(compileGoRegexp(pattern).test(input)).toBe(expected);
  });

  it.each([
    ['(', /Unterminated group/],
    ['\\1', /invalid escape sequence \\1/],
    ['\\8', /invalid escape sequence \\8/],
    ['\\q', /invalid escape sequence \\q/],
    ['a\\', /trailing backslash/],
    ['(?=a)', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['a(?i)b', /only at the start/],
    ['(?U)a+', /flag U/],
    ['a{1001}', /invalid repeat count/],
    ['a{3,2}', /invalid repeat count/],
    ['[a', /missing closing \]/],
    ['[[:nope:]]', /invalid character class/],
    ['[\\b]', /invalid escape sequence \\b/],
    ['\\x4', /invalid escape sequence/],
  ])('rejects %j like Go does', (pattern, problem) => {
    expect(() => compileGoRegexp(pattern)).toThrow(problem);
  });
});
