/**
 * Captures what the process writes to stdout and stderr (the handlers' Powertools log lines) while
 * still writing it through, until `restore()`. `records()` parses the JSON lines among them.
 *
 * @example
 * const output = captureOutput();
 * try { await handler(event, context); } finally { output.restore(); }
 * expect(output.records().some((r) => r.message === 'chunk processed')).toBe(true);
 */
export function captureOutput(): {
  lines: string[];
  records: () => Record<string, unknown>[];
  restore: () => void;
} {
  const lines: string[] = [];
  const undo = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return {
    lines,
    records: () =>
      lines
        .flatMap((text) => text.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const restore of undo) restore();
    },
  };
}
