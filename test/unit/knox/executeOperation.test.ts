// executeOperation after the performance work: results by position, out-of-order and missing
// transaction entries, duplicate ids, and per-device errors built lazily.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBulk, KnoxGuardError } from '../../../lib/errors';
import { createKnoxClient, type HttpRequest, type HttpResponse, type HttpTransport } from '../../../lib/knox';
import { FakeClock } from '../../helpers/knoxTestKit';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = {
  Public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  Private: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: {},
  body: JSON.stringify(body),
});

/** Answers every `...Async` with a transaction whose resultList `answer` builds from the ids sent. */
function bulkTransport(answer: (ids: string[]) => unknown[] | HttpResponse) {
  const sent: string[][] = [];
  const lists = new Map<string, unknown[]>();
  const transport: HttpTransport = {
    async send(request: HttpRequest) {
      if (request.url.endsWith('/accesstoken')) return json(200, { accessToken: 'at' });
      const body = JSON.parse(request.body ?? '{}');
      if (request.url.endsWith('Async')) {
        const ids = body.deviceUidList as string[];
        sent.push(ids);
        const list = answer(ids);
        if (!Array.isArray(list)) return list;
        const id = `TX-${sent.length}`;
        lists.set(id, list);
        return json(200, { result: 'SUCCESS', transactionId: id });
      }
      return json(200, { result: 'SUCCESS', status: 'COMPLETED', resultList: lists.get(body.transactionId) });
    },
  };
  return { transport, sent };
}

const client = (transport: HttpTransport, bulkLimit = 3) => {
  const clock = new FakeClock();
  return createKnoxClient({
    baseUrl: 'https://knox.test',
    clientIdentifier: 'cid',
    certificate,
    transport,
    clock,
    sleep: clock.sleep,
    bulkLimit,
    concurrency: 2,
    maxAttempts: 1,
  });
};
const ok = (id: string) => ({ result: 'SUCCESS', requestedId: id, objectId: `O-${id}` });
const fail = (id: string) => ({
  result: 'FAIL',
  requestedId: id,
  error: { code: 4000310, message: 'DEVICE_STATE_INVALID', reason: "Current status is 'Locked'." },
});

describe('executeOperation results', () => {
  it('answers in request order, once per requested id, duplicates included', async () => {
    const { transport, sent } = bulkTransport((ids) =>
      ids.map((id) => (id.endsWith('2') ? fail(id) : ok(id))),
    );
    const ids = ['d1', 'd2', 'd3', 'd1', 'd4', 'd5', 'd2'];
    const outcome = await client(transport).execute('unlock', ids);
    expect(sent.flat().sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(outcome.results.map((r) => r.requestedId)).toEqual(ids);
    expect(outcome.results.map((r) => r.ok)).toEqual([true, false, true, true, true, true, false]);
    expect(outcome.results[0]).toEqual({ ok: true, requestedId: 'd1', objectId: 'O-d1' });
    expect(outcome.results[1]).toBe(outcome.results[6]);
  });

  it('matches entries by id when Knox answers out of order or leaves one out', async () => {
    const { transport } = bulkTransport((ids) => [...ids].reverse().slice(1).map(ok));
    const outcome = await client(transport, 10).execute('unlock', ['a', 'b', 'c']);
    expect(outcome.results.map((r) => (r.ok ? r.objectId : r.error.code))).toEqual([
      'O-a',
      'O-b',
      'MALFORMED_RESPONSE',
    ]);
    const missing = outcome.results[2];
    expect(missing?.ok === false && missing.error.requestedId).toBe('c');
  });

  it('gives every device of a refused chunk the request error with its own requestedId', async () => {
    const refused = json(403, { result: 'FAIL', error: { code: 4031001, message: 'USER_BLOCKED_STATE' } });
    const { transport } = bulkTransport(() => refused);
    const outcome = await client(transport).execute('unlock', ['a', 'b', 'c', 'd']);
    for (const result of outcome.results) {
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(KnoxGuardError);
      expect(result.error).toMatchObject({ codeName: 'USER_BLOCKED_STATE', requestedId: result.requestedId });
      expect(result.error).toBe(result.error); // built once
    }
  });
});

describe('decodeBulk lazy errors', () => {
  it('builds a KnoxGuardError per failed device on first read, the same one afterwards', () => {
    const [result] = decodeBulk({ resultList: [fail('d9')] }).results;
    expect(result?.ok).toBe(false);
    if (!result || result.ok) return;
    expect(Object.keys(result)).toEqual(['ok', 'requestedId', 'error']);
    const error = result.error;
    expect(error).toBeInstanceOf(KnoxGuardError);
    expect(error).toMatchObject({ codeName: 'DEVICE_STATE_INVALID', requestedId: 'd9', receivedStatus: 200 });
    expect(result.error).toBe(error);
    expect({ ...result }.error).toBe(error);
    expect(JSON.parse(JSON.stringify(result)).error).toMatchObject({ code: '4000310', requestedId: 'd9' });
  });
});
