import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDocLinks, type DocFiles, githubSlug, headingAnchors, pageLinks } from './checkDocLinks';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const repository: DocFiles = {
  exists: (path) => existsSync(join(ROOT, path)),
  read: (path) => readFileSync(join(ROOT, path), 'utf8'),
};

/** README.md and every markdown page under docs/. */
function repositoryPages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name))
    .sort();
  return ['README.md', ...docs];
}

/** An in-memory set of pages (and other files, whose text does not matter). */
function memory(pages: Record<string, string>, otherFiles: readonly string[] = []): DocFiles {
  return {
    exists: (path) =>
      path in pages || otherFiles.includes(path) || otherFiles.some((f) => f.startsWith(`${path}/`)),
    read: (path) => {
      const text = pages[path];
      if (text === undefined) throw new Error(`no page ${path}`);
      return text;
    },
  };
}

describe('links in README.md and docs/', () => {
  it('every relative link names an existing file and every #anchor a heading of its page', () => {
    const pages = repositoryPages();
    expect(pages).toContain('docs/operator-guide.md');

    const broken = checkDocLinks(pages, repository).map(
      (link) => `${link.page}:${link.line} (${link.target}): ${link.reason}`,
    );

    expect(broken).toEqual([]);
  });

  it('the README links every page of docs/ (its Documentation section is the way in)', () => {
    const readme = pageLinks(repository.read('README.md')).map((link) => link.target.split('#')[0]);
    const pages = repositoryPages().filter((page) => page.startsWith('docs/'));

    for (const page of pages) expect(readme, page).toContain(page);
  });
});

describe('checkDocLinks', () => {
  const guide = '# Guide\n\n## Device ids\n\n## Device ids\n\n### `POST /knox/notifications` (Knox)\n';

  it('passes links to existing files, same-page anchors and anchors on other pages', () => {
    const files = memory(
      {
        'README.md':
          '[guide](docs/guide.md) [ids](docs/guide.md#device-ids) [again](docs/guide.md#device-ids-1) [top](#readme)\n# Readme\n[src](lib/) [web](https://example.com/x#y) [mail](mailto:a@b.c)\n',
        'docs/guide.md': `${guide}[back](../README.md#readme) [cb](#post-knoxnotifications-knox)\n`,
      },
      ['lib/index.ts'],
    );

    expect(checkDocLinks(['README.md', 'docs/guide.md'], files)).toEqual([]);
  });

  it('reports a link to a missing file, with its page and line', () => {
    const files = memory({ 'README.md': '# Readme\n\nSee [the guide](docs/operator-guide.md).\n' });

    expect(checkDocLinks(['README.md'], files)).toEqual([
      {
        page: 'README.md',
        line: 3,
        target: 'docs/operator-guide.md',
        reason: 'no file docs/operator-guide.md',
      },
    ]);
  });

  it('reports an anchor no heading has, on the same page and on another', () => {
    const files = memory({
      'README.md':
        '# Readme\n[a](#deploying-to-aws)\n[b](docs/guide.md#device-ids-2)\n[c](docs/guide.md#Device-ids)\n',
      'docs/guide.md': guide,
    });

    expect(checkDocLinks(['README.md'], files).map((link) => [link.line, link.reason])).toEqual([
      [2, 'no heading #deploying-to-aws in README.md'],
      [3, 'no heading #device-ids-2 in docs/guide.md'],
      [4, 'no heading #Device-ids in docs/guide.md'],
    ]);
  });

  it('resolves links from the page they are on, and refuses ones that leave the repository', () => {
    const files = memory({
      'docs/a.md': '[b](b.md) [wrong](docs/b.md) [out](../../x.md)\n',
      'docs/b.md': '# B\n',
    });

    expect(checkDocLinks(['docs/a.md'], files).map((link) => link.target)).toEqual([
      'docs/b.md',
      '../../x.md',
    ]);
  });

  it('ignores links inside code blocks and code spans, but not in tables or lists', () => {
    const files = memory({
      'README.md':
        '# R\n```md\n[x](missing-in-fence.md)\n```\n`[y](missing-in-span.md)`\n| a | [z](missing-in-table.md) |\n- [w](missing-in-list.md)\n',
    });

    expect(checkDocLinks(['README.md'], files).map((link) => link.target)).toEqual([
      'missing-in-table.md',
      'missing-in-list.md',
    ]);
  });
});

describe('githubSlug and headingAnchors (GitHub rules)', () => {
  it.each([
    ['The error code library (`lib/errors`)', 'the-error-code-library-liberrors'],
    [
      'Local AWS parts (`local/aws`) and why fauxqs and dynalite',
      'local-aws-parts-localaws-and-why-fauxqs-and-dynalite',
    ],
    ['Before the first deploy: job values', 'before-the-first-deploy-job-values'],
    ["The billing system's access", 'the-billing-systems-access'],
    ['Jobs: `config/jobs.yml`', 'jobs-configjobsyml'],
    ['Tuning rules, silences and intervals', 'tuning-rules-silences-and-intervals'],
    ['What `npm start` does', 'what-npm-start-does'],
    ['A [linked](x.md) heading', 'a-linked-heading'],
    ['snake_case and 10 k - 1 M', 'snake_case-and-10-k---1-m'],
  ])('%s -> %s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings, ignores headings in code blocks and reads <a name> anchors', () => {
    const text =
      '# Setup\n## Setup\n```sh\n# Setup\n```\n### Setup ##\n<a name="custom"></a>\n#NotAHeading\n';

    expect([...headingAnchors(text)]).toEqual(['setup', 'setup-1', 'setup-2', 'custom']);
  });
});
