import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The names a lib folder's index.ts exports, sorted. */
function exportedNames(folder: string): string[] {
  const text = readFileSync(join(ROOT, 'lib', folder, 'index.ts'), 'utf8');
  return [...text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)]
    .flatMap((match) => (match[1] ?? '').split(','))
    .map(
      (name) =>
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop() ?? '',
    )
    .filter(Boolean)
    .sort((a, b) => a.localeCompare(b));
}

/** The folder -> names table between the public-faces markers of docs/architecture.md. */
function documentedFaces(): Map<string, string[]> {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const table = doc.split('<!-- public-faces:begin -->')[1]?.split('<!-- public-faces:end -->')[0] ?? '';
  const faces = new Map<string, string[]>();
  for (const row of table.matchAll(/^\| `lib\/([\w-]+)` \| (.*) \|$/gm)) {
    faces.set(
      row[1] ?? '',
      [...(row[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
    );
  }
  return faces;
}

describe('docs/architecture.md lists each lib folder public face', () => {
  const folders = readdirSync(join(ROOT, 'lib'))
    .filter((folder) => existsSync(join(ROOT, 'lib', folder, 'index.ts')))
    .sort();

  it('has one row per lib folder with an index.ts', () => {
    expect([...documentedFaces().keys()].sort()).toEqual(folders);
  });

  it.each(folders)('lib/%s: the row names exactly what index.ts exports', (folder) => {
    expect(documentedFaces().get(folder)).toEqual(exportedNames(folder));
  });
});
