import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import {
  adaptObject,
  matchEverything,
  parseFilter,
  parseFilters,
  type FieldAdaptor,
} from '../../src/domain/filter.ts';

/** An envelope shaped like the ones the event log hands to filters. */
const exitEvent = {
  topic: '/tasks/exit',
  namespace: 'default',
  event: {
    container_id: 'web',
    id: 'web',
    pid: 4242,
    exit_status: 137,
    exited_at: '2024-01-01T00:00:00Z',
  },
};

const container = {
  id: 'web-1',
  image: 'docker.io/library/nginx:latest',
  runtime: { name: 'io.containerd.runc.v2' },
  labels: { env: 'prod', 'com.example.team': 'infra', empty: '' },
};

function matches(expressions: string | readonly string[], object: unknown): boolean {
  const list = typeof expressions === 'string' ? [expressions] : expressions;
  return parseFilters(list).match(adaptObject(object));
}

function parseError(expression: string): string {
  try {
    parseFilter(expression);
  } catch (error) {
    expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be rejected`);
}

describe('the examples containerd documents', () => {
  it.each([
    ['topic=="/tasks/exit"', exitEvent, true],
    ['topic=="/tasks/start"', exitEvent, false],
    ['topic~="/tasks/.*",namespace==default', exitEvent, true],
    ['topic~="/tasks/.*",namespace==other', exitEvent, false],
    ['event.container_id==web', exitEvent, true],
    ['labels.env==prod', container, true],
    ['labels."com.example.team"==infra', container, true],
    ['id~=^web-', container, true],
    ['id~=^eb-', container, false],
    ['runtime.name==io.containerd.runc.v2', container, true],
    ['runtime.name==io.containerd.runc.v1', container, false],
  ])('evaluates %s', (expression, object, expected) => {
    expect(matches(expression, object)).toBe(expected);
  });
});

describe('selectors', () => {
  it('treats a bare field path as a presence test', () => {
    expect(matches('labels.env', container)).toBe(true);
    expect(matches('labels.missing', container)).toBe(false);
    expect(matches('labels.empty', container)).toBe(true);
  });

  it('requires every selector of one filter to match', () => {
    expect(matches('labels.env==prod,id==web-1', container)).toBe(true);
    expect(matches('labels.env==prod,id==web-2', container)).toBe(false);
  });

  it('matches when any of several filters matches', () => {
    expect(matches(['id==db', 'labels.env==prod'], container)).toBe(true);
    expect(matches(['id==db', 'labels.env==dev'], container)).toBe(false);
  });

  it('treats a missing field as empty for != as containerd does', () => {
    expect(matches('labels.env!=dev', container)).toBe(true);
    expect(matches('labels.env!=prod', container)).toBe(false);
    expect(matches('labels.missing!=prod', container)).toBe(true);
    expect(matches('labels.missing!=""', container)).toBe(false);
  });

  it('never matches == on a missing field, even against ""', () => {
    expect(matches('labels.missing==""', container)).toBe(false);
    expect(matches('labels.empty==""', container)).toBe(true);
  });

  it('searches rather than anchors regular expressions, like Go MatchString', () => {
    expect(matches('image~=nginx', container)).toBe(true);
    expect(matches('image~=^nginx', container)).toBe(false);
    expect(matches('image~=latest$', container)).toBe(true);
    expect(matches('image~="^docker\\\\.io/"', container)).toBe(true);
  });

  it('accepts /regexp/ and |regexp| quotes after ~= only', () => {
    expect(matches('topic~=/^\\/tasks\\/(exit|oom)$/', exitEvent)).toBe(true);
    expect(matches('topic~=|^/tasks/e|', exitEvent)).toBe(true);
    expect(parseError('topic==|/tasks/exit|')).toBe(
      'invalid filter "topic==|/tasks/exit|": invalid quote encountered at 7',
    );
  });

  it('compares numbers by their decimal text', () => {
    expect(matches('event.exit_status==137', exitEvent)).toBe(true);
    expect(matches('event.pid~=^42', exitEvent)).toBe(true);
  });

  it('skips white space before field paths, operators and values', () => {
    expect(matches(' labels.env == prod', container)).toBe(true);
    expect(matches('id==web-1, labels.env==prod', container)).toBe(true);
  });
});

describe('quoting', () => {
  it('reads quoted field path components, including escapes', () => {
    const labels = { labels: { 'with "quote" and \\': 'x', 'a b': 'y' } };
    expect(matches('labels."with \\"quote\\" and \\\\"==x', labels)).toBe(true);
    expect(matches('labels."a b"', labels)).toBe(true);
  });

  it('reads quoted values with commas, spaces and Go escapes', () => {
    const other = { other: 'too complex, yo', tabbed: 'a\tb', cow: '牛' };
    expect(matches('other=="too complex, yo"', other)).toBe(true);
    expect(matches('tabbed=="a\\tb"', other)).toBe(true);
    expect(matches('cow=="\\u725b"', other)).toBe(true);
    expect(matches('cow=="\\xe7\\x89\\x9b"', other)).toBe(true); // Go strings are bytes
    expect(matches('cow=="\\347\\211\\233"', other)).toBe(true);
  });

  it('takes unquoted values up to a comma or space, dots, slashes and = included', () => {
    const object = { v: 'a.b/c=d-e_f:g@h' };
    expect(matches('v==a.b/c=d-e_f:g@h', object)).toBe(true);
    expect(matches('v==a.b/c=d-e_f:g@h,v', object)).toBe(true);
  });

  it('accepts dashes in unquoted field names', () => {
    expect(matches('labels.fo-obr==bla', { labels: { 'fo-obr': 'bla' } })).toBe(true);
  });
});

describe('parse errors', () => {
  it.each([
    ['id==', 'expected value or quoted at 4'],
    ['id=', 'unsupported operator "=" at 2'],
    ['id===x', 'unsupported operator "===" at 2'],
    ['name==foo,', 'expected field or quoted at 10'],
    ['labels.', 'expected field or quoted at 7'],
    ['image~=,id?=?fbaq', 'expected value or quoted at 7'],
    ['labels.?"x"==present', 'expected field or quoted at 7'],
    ['labels.|foo|==x', 'invalid quote encountered at 7'],
    ['topic==/tasks/exit', 'invalid quote encountered at 7'],
    ['labels.containerd.io/key==value', 'quoted literal not terminated at 20'],
    ['labels."\\g"', 'illegal escape sequence at 7'],
    ['labels."\\xaz"', 'illegal numeric escape sequence at 7'],
    ['labels."a\nb"==x', 'quoted literal not terminated at 7'],
    ['foo\u0000bar', 'unexpected null at 3'],
    ['id==web extra', 'unexpected input: " " at 7'],
    ['id==web ', 'unexpected input: " " at 7'],
    ['id~=.*web', 'expected value or quoted at 4'],
    ['id web', 'expected an operator ("=="|"!="|"~=") at 3'],
    [' ', 'expected field or quoted at 1'],
    ['id~=(', 'invalid regular expression: Unterminated group at 4'],
    ['id~="a\\\\1"', 'invalid regular expression: invalid escape sequence \\1 at 4'],
    ['id~="(?=x)"', 'invalid regular expression: lookaround is not supported at 4'],
    ['id=="\\xff"', 'unquoting failed: escapes do not form valid UTF-8 at 4'],
  ])('rejects %j', (expression, problem) => {
    expect(parseError(expression)).toBe(`invalid filter ${JSON.stringify(expression)}: ${problem}`);
  });

  it('rejects the whole list when one filter is invalid', () => {
    expect(() => parseFilters(['id==a', 'id=='])).toThrow(/invalid filter "id=="/);
  });
});

describe('empty filters', () => {
  it('matches everything when there are no filters or an empty one', () => {
    expect(parseFilters([])).toBe(matchEverything);
    expect(parseFilters([''])).toBe(matchEverything);
    expect(parseFilters(['id==nothing', ''])).toBe(matchEverything);
    expect(parseFilter('')).toBe(matchEverything);
  });
});

/** containerd's own filters/filter_test.go corpus and cases, with its adaptor. */
describe("containerd's filter_test.go", () => {
  interface Entry {
    name: string;
    other?: string;
    labels?: Record<string, string>;
  }
  const corpus: Entry[] = [
    { name: 'foo', labels: { foo: 'true' } },
    { name: 'bar' },
    { name: 'foo', labels: { foo: 'present', 'more complex label': 'present' } },
    { name: 'bar', labels: { bar: 'true' } },
    { name: 'fooer', labels: { 'more complex label with \\ and "': 'present' } },
    { name: 'fooer', labels: { 'more complex label with \\ and ".post': 'present' } },
    { name: 'baz', other: 'too complex, yo' },
    { name: 'bazo', other: 'abc' },
    { name: 'compound', labels: { foo: 'omg_asdf.asdf-qwer' } },
  ];
  const adapt =
    (entry: Entry): FieldAdaptor =>
    ([head, ...rest]) => {
      switch (head) {
        case 'name':
          return entry.name === '' ? undefined : entry.name;
        case 'other':
          return entry.other === '' ? undefined : entry.other;
        case 'labels':
          return entry.labels?.[rest.join('.')];
        default:
          return undefined;
      }
    };
  const select = (expression: string): number[] => {
    const filter = parseFilter(expression);
    return corpus.flatMap((entry, index) => (filter.match(adapt(entry)) ? [index] : []));
  };
  const all = corpus.map((_, index) => index);

  it.each([
    ['', all],
    ['name', all],
    ['labels.foo', [0, 2, 8]],
    ['labels.foo,name', [0, 2, 8]],
    ['labels.foo==true', [0]],
    ['labels.foo==omg_asdf.asdf-qwer', [8]],
    ['name==bar', [1, 3]],
    ['name!=bar', [0, 2, 4, 5, 6, 7, 8]],
    ['name==bar,labels.bar', [3]],
    ['other=="too complex, yo"', [6]],
    ['other~=[abc]+,name!=foo', [6, 7]],
    ['other~=/[abc]+/,name!=foo', [6, 7]],
    ['other~=/[abc]{1,2}/,name!=foo', [6, 7]],
    ['other~=/[abc]{0,1}"\\//,name!=foo', []],
    ['name==bar,labels.bar==true', [3]],
    ['name==bar,labels.bar==wrong', []],
    ['name==foo,labels."more complex label"', [2]],
    ['labels."more complex label with \\\\ and \\""==present', [4]],
    ['labels."more complex label with \\\\ and \\"".post==present', [5]],
  ])('selects %j', (expression, expected) => {
    expect(select(expression)).toEqual(expected);
  });
});

describe('adaptObject', () => {
  const adaptor = adaptObject({
    s: 'text',
    n: 7,
    b: false,
    nil: null,
    nested: { deep: { value: 'x' } },
    list: ['a', 'b'],
    labels: { 'a.b': 'dotted' },
  });

  it('returns strings as they are and stringifies numbers and booleans', () => {
    expect(adaptor(['s'])).toBe('text');
    expect(adaptor(['n'])).toBe('7');
    expect(adaptor(['b'])).toBe('false');
  });

  it('walks nested objects and arrays by path', () => {
    expect(adaptor(['nested', 'deep', 'value'])).toBe('x');
    expect(adaptor(['list', '1'])).toBe('b');
  });

  it('reports objects as present and non-empty', () => {
    expect(adaptor(['nested'])).toBe('{"deep":{"value":"x"}}');
    expect(adaptor(['list'])).toBe('["a","b"]');
  });

  it('reports missing paths, nulls and inherited properties as absent', () => {
    expect(adaptor(['missing'])).toBeUndefined();
    expect(adaptor(['nil'])).toBeUndefined();
    expect(adaptor(['s', 'length'])).toBeUndefined();
    expect(adaptor(['nested', 'constructor'])).toBeUndefined();
    expect(adaptor(['nested', '__proto__'])).toBeUndefined();
  });

  it('finds a dotted key from unquoted components, as containerd label adaptors do', () => {
    expect(adaptor(['labels', 'a', 'b'])).toBe('dotted');
    expect(adaptor(['labels', 'a.b'])).toBe('dotted');
  });
});
