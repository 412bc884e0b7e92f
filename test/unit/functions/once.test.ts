import { describe, expect, it } from 'vitest';
import { once, onceAsync } from '../../../functions/shared/once';

describe('once', () => {
  it('builds on the first call only and returns the same value after', () => {
    let built = 0;
    const value = once(() => ({ n: ++built }));
    expect(value()).toBe(value());
    expect(built).toBe(1);
  });

  it('keeps nothing when building throws, so the next call builds again', () => {
    let calls = 0;
    const value = once(() => {
      calls += 1;
      if (calls === 1) throw new Error('first');
      return calls;
    });
    expect(() => value()).toThrow('first');
    expect(value()).toBe(2);
  });
});

describe('onceAsync', () => {
  it('shares one pending load between concurrent callers', async () => {
    let loads = 0;
    const load = onceAsync(async () => ++loads);
    const [a, b] = await Promise.all([load(), load()]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    expect(await load()).toBe(1);
  });

  it('drops a rejected load, so the next call tries again', async () => {
    let loads = 0;
    const load = onceAsync(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk missing');
      return loads;
    });
    await expect(load()).rejects.toThrow('chunk missing');
    expect(await load()).toBe(2);
    expect(await load()).toBe(2);
  });
});
