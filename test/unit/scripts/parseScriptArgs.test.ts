import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseScriptArgs } from '../../../scripts/parseScriptArgs';

const run = promisify(execFile);

async function exitOf(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('parseScriptArgs', () => {
  it('returns the declared flags', () => {
    expect(parseScriptArgs({ stage: { type: 'string' } }, 'usage: x', ['--stage', 'prod'])).toEqual({
      stage: 'prod',
    });
    expect(parseScriptArgs({ stage: { type: 'string' } }, 'usage: x', [])).toEqual({});
  });

  it.each([
    ['scripts/build.ts', ['--outdr', '/tmp/x'], "Unknown option '--outdr'", 'usage: npm run build'],
    ['scripts/build.ts', ['--outdir'], 'argument missing', 'usage: npm run build'],
    ['scripts/package.ts', ['--stag', 'prod'], "Unknown option '--stag'", 'usage: npm run package'],
    ['scripts/package.ts', ['prod'], 'Unexpected argument', 'usage: npm run package'],
    ['scripts/generate-error-docs.ts', ['--check'], "Unknown option '--check'", 'usage: npm run docs:errors'],
    ['bench/run.ts', ['--cold-start', '5'], "Unknown option '--cold-start'", 'usage: npm run bench'],
  ])(
    '%s %j stops with exit 2, the reason and the usage, before doing anything',
    async (script, args, reason, usage) => {
      const { code, stderr } = await exitOf(script, args);
      expect(code).toBe(2);
      expect(stderr).toContain(reason);
      expect(stderr).toContain(usage);
      expect(stderr).not.toContain('    at ');
    },
  );

  it('every script an npm script runs parses its arguments with node:util parseArgs', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    const files = [
      ...new Set(
        Object.values(manifest.scripts).flatMap((command) =>
          [...command.matchAll(/\b((?:scripts|bench)\/[\w.-]+\.ts)\b/g)].map((match) => match[1] as string),
        ),
      ),
    ];
    expect(files).toContain('scripts/build.ts');
    expect(files).toContain('bench/run.ts');
    const without: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (!/\bparse(?:Script)?Args\(/.test(text)) without.push(file);
    }
    expect(without).toEqual([]);
  });
});
