import { dirname, join, normalize } from 'node:path';

/** A relative link in a markdown page that leads nowhere. */
export type BrokenLink = {
  /** The page the link is on, relative to the repository root (`docs/admin-guide.md`). */
  readonly page: string;
  /** 1-based line of the link. */
  readonly line: number;
  /** The link target as written (`operator-guide.md#device-ids`). */
  readonly target: string;
  /** Why it is broken: `no file docs/x.md`, `no heading #y in docs/x.md`. */
  readonly reason: string;
};

/** What the checker reads: whether a path exists, and a markdown file's text. */
export type DocFiles = {
  /** True when `path` (relative to the repository root) is a file or a directory. */
  readonly exists: (path: string) => boolean;
  /** The text of a markdown file that exists. */
  readonly read: (path: string) => string;
};

// A fence opens with ``` or ~~~ (up to 3 spaces indent) and closes with the same character.
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
// Inline links and images: [text](target "title"), target optionally in <...>.
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
// Reference definitions: [label]: target
const REFERENCE = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const HTML_ID = /<a\s[^>]*(?:name|id)="([^"]+)"/gi;

/** The lines of a page outside fenced code blocks, as [1-based line number, text] pairs. */
function proseLines(text: string): Array<[number, string]> {
  const lines: Array<[number, string]> = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const open = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (open !== undefined && open[0] === fence[0] && open.length >= fence.length) fence = undefined;
      return;
    }
    if (open !== undefined) {
      fence = open;
      return;
    }
    lines.push([index + 1, line]);
  });
  return lines;
}

/** Removes inline code spans, so `[x](y)` inside backticks is not read as a link. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, '');
}

/**
 * The anchor GitHub gives a heading's text (github-slugger): markdown reduced to its text, lower
 * case, every character that is not a letter, mark, digit, `_`, `-` or space dropped, each space
 * a `-`.
 *
 * Source: https://github.com/Flet/github-slugger (the slugger github.com's renderer matches).
 *
 * @example
 * githubSlug('The error code library (`lib/errors`)'); // 'the-error-code-library-liberrors'
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Every anchor a page offers: its ATX headings' slugs (outside code fences; a repeated slug gets
 * `-1`, `-2`, ... as on GitHub) and the ids of `<a name|id="...">` tags.
 *
 * @example
 * headingAnchors('# A\n## A\n'); // Set { 'a', 'a-1' }
 */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, line] of proseLines(text)) {
    for (const match of line.matchAll(HTML_ID)) anchors.add(match[1] as string);
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = githubSlug(heading);
    let slug = base;
    const count = seen.get(base) ?? 0;
    if (count > 0) slug = `${base}-${count}`;
    // github-slugger: a generated `x-1` that is itself taken keeps counting up.
    let next = count;
    while (anchors.has(slug)) {
      next += 1;
      slug = `${base}-${next}`;
    }
    seen.set(base, next + 1);
    anchors.add(slug);
  }
  return anchors;
}

/** The link targets of a page with their line numbers (code blocks and code spans excluded). */
export function pageLinks(text: string): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  for (const [line, raw] of proseLines(text)) {
    const prose = withoutCodeSpans(raw);
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ line, target: match[1] as string });
    const reference = REFERENCE.exec(prose)?.[1];
    if (reference !== undefined) links.push({ line, target: reference });
  }
  return links.map(({ line, target }) => ({ line, target: target.replace(/^<|>$/g, '') }));
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * Checks every relative link of `pages` (paths relative to the repository root): the file it
 * names exists, and its `#anchor`, on the same page or another markdown page, is one of that
 * page's heading anchors. Absolute URLs (`https:`, `mailto:`) are not checked: tests have no
 * network.
 *
 * @returns every broken link, in page and line order; empty when all resolve.
 * @example
 * checkDocLinks(['README.md'], { exists: existsSync, read: (p) => readFileSync(p, 'utf8') });
 */
export function checkDocLinks(pages: readonly string[], files: DocFiles): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> => {
    let found = anchorsOf.get(path);
    if (found === undefined) {
      found = headingAnchors(files.read(path));
      anchorsOf.set(path, found);
    }
    return found;
  };

  for (const page of pages) {
    for (const { line, target } of pageLinks(files.read(page))) {
      if (EXTERNAL.test(target)) continue;
      const hash = target.indexOf('#');
      const pathPart = hash < 0 ? target : target.slice(0, hash);
      const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const file =
        pathPart === ''
          ? page
          : normalize(join(dirname(page), decodeURIComponent(pathPart.split('?')[0] as string))).replace(
              /\/$/,
              '',
            );
      if (file.startsWith('..') || !files.exists(file)) {
        broken.push({ page, line, target, reason: `no file ${file}` });
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!file.endsWith('.md')) {
        broken.push({ page, line, target, reason: `an anchor on ${file}, which is not a markdown page` });
        continue;
      }
      if (!anchors(file).has(anchor)) {
        broken.push({ page, line, target, reason: `no heading #${anchor} in ${file}` });
      }
    }
  }
  return broken;
}
