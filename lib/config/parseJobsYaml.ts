import { parseDocument } from 'yaml';
import { JobsConfigError } from './jobsConfig';

/**
 * Parses the text of config/jobs.yml into plain data, the one YAML reading every tool shares
 * (build, packaging's stage-config.cjs, the admin CLI, the local runner). A YAML error becomes a
 * `JobsConfigError` with one line per problem, naming the file and line: a job named twice is
 * `config/jobs.yml line 32: duplicate key "overdue-lock" (a job, stage or field may appear once in its map)`,
 * not a `YAMLParseError` with the parser's source excerpt.
 *
 * @param text the YAML text
 * @param file how to name the file in messages (default `config/jobs.yml`)
 * @returns the document as plain data (`{ defaults, jobs, stages }` when valid)
 * @throws JobsConfigError when the text is not valid YAML (cause: the parser's first error)
 * @example
 * const raw = parseJobsYaml(await readFile('config/jobs.yml', 'utf8'));
 */
export function parseJobsYaml(text: string, file = 'config/jobs.yml'): unknown {
  const document = parseDocument(text);
  if (document.errors.length === 0) return document.toJS();
  const issues = document.errors.map((error) => {
    const line = error.linePos?.[0]?.line;
    const where = line === undefined ? file : `${file} line ${line}`;
    if (error.code === 'DUPLICATE_KEY') {
      const key = keyAt(text, error.pos[0]);
      return `${where}: duplicate key ${key === undefined ? '' : `${JSON.stringify(key)} `}(a job, stage or field may appear once in its map)`;
    }
    // The parser's message without its source excerpt: "Flow sequence ... at line 2, column 1".
    return `${where}: not valid YAML: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
  });
  throw new JobsConfigError(issues, { cause: document.errors[0] });
}

// The plain key starting at `offset` (`overdue-lock:` -> overdue-lock); quoted keys keep their text.
function keyAt(text: string, offset: number): string | undefined {
  // The key starts and ends with a non-space: a `\s*` next to a class that also takes spaces
  // would split a long run of them every possible way (test/unit/regexes.test.ts).
  const match = /^\s*["']?([^"':\s](?:[^"':\n]*[^"':\s])?)["']?[ \t]*:/.exec(text.slice(offset));
  return match?.[1]?.trim();
}
