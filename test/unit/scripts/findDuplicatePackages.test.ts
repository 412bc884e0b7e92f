import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicatePackages } from '../../../scripts/findDuplicatePackages';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kgs-dups-'));
  const manifest = async (dir: string, version: string) => {
    await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, dir, 'package.json'), JSON.stringify({ version }));
  };
  await manifest('node_modules/@aws-lambda-powertools/commons', '2.35.0');
  await manifest(
    'node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons',
    '2.36.0',
  );
  await manifest('node_modules/valibot', '1.5.0');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findDuplicatePackages', () => {
  it('names a package bundled from two node_modules directories, with each copy’s version', async () => {
    const duplicates = await findDuplicatePackages(
      [
        'node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        'node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js',
        'node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js',
        'node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        'node_modules/valibot/dist/index.js',
        'lib/errors/decode.ts',
      ],
      root,
    );
    expect(duplicates).toEqual([
      {
        name: '@aws-lambda-powertools/commons',
        copies: [
          { version: '2.35.0', dir: 'node_modules/@aws-lambda-powertools/commons' },
          {
            version: '2.36.0',
            dir: 'node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons',
          },
        ],
      },
    ]);
  });

  it('finds none when each package comes from one directory, and ignores our own files', async () => {
    expect(
      await findDuplicatePackages(
        ['node_modules/valibot/dist/index.js', 'node_modules/valibot/dist/other.js', 'lib/knox/KnoxHttp.ts'],
        root,
      ),
    ).toEqual([]);
  });
});
