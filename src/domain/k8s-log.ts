/** One record of a k8s-file log (conmon's format): `TIME STREAM F|P TEXT`. */
export interface LogRecord {
  /** RFC 3339 time conmon stamped the record with. */
  readonly time: string;
  /** `stdout` or `stderr`. */
  readonly stream: 'stdout' | 'stderr';
  /** False for a partial line (`P`): the text continues in the next record. */
  readonly full: boolean;
  /** The text, without the newline. */
  readonly text: string;
}

/** Parses one k8s-file log line; undefined for a malformed one. */
export function parseLogLine(line: string): LogRecord | undefined {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  const third = line.indexOf(' ', second + 1);
  if (first < 0 || second < 0) return undefined;
  const stream = line.slice(first + 1, second);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = third < 0 ? line.slice(second + 1) : line.slice(second + 1, third);
  return {
    time: line.slice(0, first),
    stream,
    full: !tag.startsWith('P'),
    text: third < 0 ? '' : line.slice(third + 1),
  };
}
