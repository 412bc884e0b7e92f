import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every `class X extends Y` in a lib folder (and its sub-folders), as written in the source. */
export function errorClassesOf(folder: string): { file: string; name: string; parent: string }[] {
  const dir = join(ROOT, 'lib', folder);
  const found: { file: string; name: string; parent: string }[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    for (const match of text.matchAll(/^\s*(?:export\s+)?class\s+(\w+)\s+extends\s+(\w+)/gm)) {
      found.push({ file: entry, name: match[1] as string, parent: match[2] as string });
    }
  }
  return found;
}

/**
 * Asserts a lib folder's error classes form one family: each ends in `Error` and descends from
 * `base` (declared in the folder's errors.ts), and never straight from `Error` except `base`.
 */
export function expectOneErrorFamily(folder: string, base: string): void {
  const classes = errorClassesOf(folder);
  expect(classes.find((c) => c.name === base)?.file).toBe('errors.ts');
  const parents = new Map(classes.map((c) => [c.name, c.parent]));
  for (const { file, name } of classes) {
    expect(name, `${folder}/${file}`).toMatch(/Error$/);
    let at: string | undefined = name;
    const chain: string[] = [];
    while (at !== undefined && at !== base) {
      chain.push(at);
      at = parents.get(at);
    }
    expect(at, `${folder}/${file}: ${chain.join(' -> ')} does not reach ${base}`).toBe(base);
  }
}

/** Asserts an error instance names its class, belongs to `base` and keeps `cause`. */
export function expectFamilyMember(
  error: Error,
  base: abstract new (...args: never[]) => Error,
  cause: unknown,
): void {
  expect(error).toBeInstanceOf(base);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe(error.constructor.name);
  expect(error.cause).toBe(cause);
}
