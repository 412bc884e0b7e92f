import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One npm package bundled from more than one directory: `copies` holds each `version directory`. */
export interface DuplicatePackage {
  readonly name: string;
  readonly copies: readonly { readonly version: string; readonly dir: string }[];
}

/**
 * The npm packages a bundle carries more than once: esbuild's metafile names every input file, and a
 * package bundled from two `node_modules` directories (e.g. `@aws-lambda-powertools/commons` hoisted
 * at 2.35.0 and nested under `logger` at 2.36.0) is parsed, evaluated and shipped twice. Versions are
 * read from each copy's `package.json` under `root` (`'?'` when it cannot be read).
 *
 * @param inputs input paths from an esbuild metafile (`meta.inputs` or `outputs[x].inputs` keys),
 *   relative to `root`
 * @param root the directory esbuild resolved from (the repository root)
 * @returns one row per duplicated package, sorted by name; `[]` when every package is there once
 * @example
 * const meta = JSON.parse(await readFile('dist/functions/webhook/meta.json', 'utf8'));
 * await findDuplicatePackages(Object.keys(meta.inputs), process.cwd()); // []
 */
export async function findDuplicatePackages(
  inputs: Iterable<string>,
  root: string,
): Promise<DuplicatePackage[]> {
  const dirsByName = new Map<string, Set<string>>();
  for (const input of inputs) {
    // The innermost node_modules segment names the package the file belongs to.
    const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (!match) continue;
    const [, prefix, name] = match as unknown as [string, string, string];
    const dirs = dirsByName.get(name) ?? new Set<string>();
    dirs.add(`${prefix}${name}`);
    dirsByName.set(name, dirs);
  }
  const duplicates: DuplicatePackage[] = [];
  for (const [name, dirs] of dirsByName) {
    if (dirs.size < 2) continue;
    const copies = await Promise.all(
      [...dirs].sort().map(async (dir) => ({ version: await versionOf(join(root, dir)), dir })),
    );
    duplicates.push({ name, copies });
  }
  return duplicates.sort((a, b) => a.name.localeCompare(b.name));
}

async function versionOf(dir: string): Promise<string> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '?';
  } catch {
    return '?';
  }
}
