import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every regular expression in lib/ and functions/ runs on text someone else wrote (Knox answers,
// request bodies, billing files, Lambda error records, log values). One with super-linear
// matching time turns a long field into a timeout: the break-it pass of 2026-12-01 found
// `[\w.+-]+@...` in the masker taking 5.9 s on 100,000 characters and 25 s on a 200,000-character
// CSV cell. recheck (https://makenowjust-labs.github.io/recheck/) decides each pattern's
// complexity: an automaton analysis where it applies, a fuzzer for lookbehinds and back-references.
const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, dir, file));
}

interface Found {
  readonly where: string;
  readonly source: string;
  readonly flags: string;
}

function regexLiterals(file: string): Found[] {
  const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText(sourceFile);
      const end = text.lastIndexOf('/');
      const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
      found.push({
        where: `${relative(ROOT, file)}:${line}`,
        source: text.slice(1, end),
        flags: text.slice(end + 1),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

const literals = [...sourceFiles('lib'), ...sourceFiles('functions')].flatMap(regexLiterals);

describe('regular expressions', () => {
  it('finds the patterns it checks', () => {
    // The masker's own patterns are among them; a walk that found nothing would pass vacuously.
    expect(literals.length).toBeGreaterThan(50);
    expect(literals.some(({ where }) => where.startsWith('lib/privacy/mask.ts'))).toBe(true);
  });

  it('tells a quadratic pattern from a linear one (the masker before and after the fix)', () => {
    expect(checkSync('[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+', 'g').status).toBe('vulnerable');
    expect(checkSync('[\\w.+-]+(?:@[\\w-]+(?:\\.[\\w-]+)+)?', 'g').status).toBe('safe');
  });

  it('match in linear time, every one in lib/ and functions/', { timeout: 300_000 }, () => {
    const vulnerable = literals
      .map((literal) => ({
        ...literal,
        result: checkSync(literal.source, literal.flags, { timeout: 60_000 }),
      }))
      .filter(({ result }) => result.status !== 'safe')
      .map(({ where, source, flags, result }) =>
        result.status === 'vulnerable'
          ? `${where} /${source}/${flags}: ${result.complexity.type} (attack: ${JSON.stringify(result.attack.pattern)})`
          : `${where} /${source}/${flags}: ${result.status}`,
      );
    expect(vulnerable).toEqual([]);
  });
});
