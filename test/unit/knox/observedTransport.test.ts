import { describe, expect, it } from 'vitest';
import { observedTransport } from '../../../lib/knox';
import { type HttpRequest, HttpTransportError } from '../../../lib/knox/HttpTransport';
import type { KnoxAnswer } from '../../../lib/knox/observedTransport';

const request: HttpRequest = {
  method: 'POST',
  url: 'http://127.0.0.1/kcs/v1.1/kg/devices/list',
  headers: { 'x-knox-apitoken': 'secret-token' },
  body: '{"deviceUid":"356938035643809"}',
  timeoutMs: 1000,
};

/** A clock that advances `stepMs` on every reading. */
const steppingClock = (stepMs: number) => {
  let now = 0;
  return () => {
    now += stepMs;
    return now;
  };
};

describe('observedTransport', () => {
  it('reports each answer with its status and duration, and returns it unchanged', async () => {
    const seen: KnoxAnswer[] = [];
    const answer = { status: 429, headers: { 'retry-after': '2' }, body: '{"code":"429"}' };
    const transport = observedTransport({ send: async () => answer }, (a) => seen.push(a), steppingClock(40));

    await expect(transport.send(request)).resolves.toBe(answer);

    expect(seen).toEqual([{ method: 'POST', status: 429, durationMs: 40 }]);
  });

  it('reports a request without an answer by its failure kind and rethrows the same error', async () => {
    const seen: KnoxAnswer[] = [];
    const timeout = new HttpTransportError('timeout', 'no answer after 1000 ms');
    const reset = new Error('socket hang up');
    const failing = (error: Error) =>
      observedTransport({ send: async () => Promise.reject(error) }, (a) => seen.push(a), steppingClock(5));

    await expect(failing(timeout).send(request)).rejects.toBe(timeout);
    await expect(failing(reset).send(request)).rejects.toBe(reset);

    expect(seen).toEqual([
      { method: 'POST', failure: 'timeout', durationMs: 5 },
      { method: 'POST', failure: 'transport', durationMs: 5 },
    ]);
  });

  it('never reports the URL, headers or body (device ids, the access token)', async () => {
    const seen: KnoxAnswer[] = [];
    const transport = observedTransport(
      { send: async () => ({ status: 200, headers: {}, body: '{}' }) },
      (a) => seen.push(a),
    );
    await transport.send(request);
    const text = JSON.stringify(seen);
    expect(text).not.toContain('356938035643809');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('/devices/');
  });

  it('an observer that throws does not fail the Knox call', async () => {
    const transport = observedTransport(
      { send: async () => ({ status: 200, headers: {}, body: '{}' }) },
      () => {
        throw new Error('metrics broke');
      },
    );
    await expect(transport.send(request)).resolves.toMatchObject({ status: 200 });
  });
});
