import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStateBusyError, lockStateDir } from '../../../local/aws';

describe('lockStateDir (one process at a time on the local state)', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kgs-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a live holder makes the next taker fail with LocalStateBusyError naming it; released, it is free', () => {
    const dir = fresh();
    // The parent of this test process stands in for a running `npm start`.
    writeFileSync(join(dir, 'owner.pid'), String(process.ppid));
    expect(() => lockStateDir(dir)).toThrow(LocalStateBusyError);
    expect(() => lockStateDir(dir)).toThrow(`in use by process ${process.ppid}`);
    rmSync(join(dir, 'owner.pid'));
    const unlock = lockStateDir(dir);
    unlock();
    lockStateDir(dir)();
  });

  it('a lock left by a process that is gone is taken over', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'owner.pid'), '2147483646');
    const unlock = lockStateDir(dir);
    expect(readFileSync(join(dir, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(existsSync(join(dir, 'owner.pid'))).toBe(false);
  });
});
