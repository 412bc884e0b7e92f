import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../lib/knox/HttpTransport';
import { rateLimitedTransport } from '../../../lib/knox/rateLimitedTransport';

const request: HttpRequest = { method: 'GET', url: 'http://127.0.0.1/', headers: {}, timeoutMs: 1000 };

describe('rateLimitedTransport', () => {
  it('spaces requests evenly at the configured rate, bursts included', async () => {
    let now = 1_000_000;
    const sent: number[] = [];
    const send = async () => {
      sent.push(now);
      return { status: 200, headers: {}, body: '' };
    };
    const sleep = async (ms: number) => {
      now += ms;
    };
    const transport = rateLimitedTransport(
      { send },
      { requestsPerSecond: 4, clock: { now: () => now }, sleep },
    );

    for (let i = 0; i < 6; i += 1) await transport.send(request);

    expect(sent.map((t) => t - 1_000_000)).toEqual([0, 250, 500, 750, 1000, 1250]);
  });

  it('does not wait when requests are already further apart than the interval', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const transport = rateLimitedTransport(
      { send: async () => ({ status: 200, headers: {}, body: '' }) },
      { requestsPerSecond: 10, clock: { now: () => now }, sleep: async (ms) => void sleeps.push(ms) },
    );

    await transport.send(request);
    now += 500;
    await transport.send(request);

    expect(sleeps).toEqual([]);
  });

  it('rejects a rate that is not positive', () => {
    const inner = { send: async () => ({ status: 200, headers: {}, body: '' }) };
    expect(() =>
      rateLimitedTransport(inner, { requestsPerSecond: 0, clock: Date, sleep: async () => undefined }),
    ).toThrow(RangeError);
  });
});

describe('rateLimitedTransport exemptions', () => {
  it('sends exempt requests at once without using a slot', async () => {
    let now = 0;
    const sent: string[] = [];
    const send = async (r: HttpRequest) => {
      sent.push(`${r.url}@${now}`);
      return { status: 200, headers: {}, body: '' };
    };
    const sleep = async (ms: number) => {
      now += ms;
    };
    const transport = rateLimitedTransport(
      { send },
      { requestsPerSecond: 2, clock: { now: () => now }, sleep, exempt: (r) => r.url.endsWith('/token') },
    );

    await transport.send({ ...request, url: 'http://127.0.0.1/token' });
    await transport.send(request);
    await transport.send(request);

    expect(sent).toEqual(['http://127.0.0.1/token@0', 'http://127.0.0.1/@0', 'http://127.0.0.1/@500']);
  });
});
