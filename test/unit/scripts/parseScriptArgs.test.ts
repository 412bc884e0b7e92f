import { execFile } from 'node:child_process';
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
});
