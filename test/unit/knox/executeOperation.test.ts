// executeOperation after the performance work: results by position, out-of-order and missing
// transaction entries, duplicate ids, per-device errors built lazily, and request-level slots.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBulk, KnoxGuardError } from '../../../lib/errors';
import { createKnoxClient, type HttpTransport } from '../../../lib/knox';
import type { HttpRequest, HttpResponse } from '../../../lib/knox/HttpTransport';
import type { KnoxClientOptions } from '../../../lib/knox/types';
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
        const ids = body.deviceUid as string[];
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

/** A client on a fake clock whose `sleep` advances time; `options` override the defaults here. */
const testClient = (transport: HttpTransport, options: Partial<KnoxClientOptions> = {}) => {
  const clock = new FakeClock();
  return createKnoxClient({
    baseUrl: 'https://knox.test',
    clientIdentifier: 'cid',
    certificate,
    transport,
    clock,
    sleep: clock.sleep,
    bulkLimit: 3,
    concurrency: 2,
    maxAttempts: 1,
    ...options,
  });
};
const client = (transport: HttpTransport, bulkLimit = 3) => testClient(transport, { bulkLimit });
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

  it('matches entries by id when Knox answers out of order; an id never answered is NOT_FINISHED', async () => {
    const { transport } = bulkTransport((ids) => [...ids].reverse().slice(1).map(ok));
    const outcome = await client(transport, 10).execute('unlock', ['a', 'b', 'c']);
    expect(outcome.results.map((r) => (r.ok ? r.objectId : r.error.code))).toEqual([
      'O-a',
      'O-b',
      'NOT_FINISHED',
    ]);
    expect(outcome.results[2]?.ok === false && outcome.results[2].error.retryable).toBe(true);
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

describe('decodeBulk with the ids sent', () => {
  it('names each entry by the id sent at its position when they agree, by its own id otherwise', () => {
    const { results } = decodeBulk({ resultList: [ok('a'), ok('x'), fail('c'), {}] }, ['a', 'b', 'c', 'd']);

    expect(results.map((r) => r.requestedId)).toEqual(['a', 'x', 'c', '#3']);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
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

// ---------------------------------------------------------------------------------------------
// Request-level slots: `concurrency` bounds Knox Guard requests in flight, submits and polls alike.

type Sent = { kind: 'submit' | 'poll'; tx: string };

/**
 * A fake Knox Guard on a fake clock that answers in round trips: requests stay unanswered until
 * the test calls for the next round, which answers every request then in flight at once. So the
 * requests sent within one round are exactly the requests in flight together, and the number of
 * rounds is the makespan in round trips.
 */
function roundTripKnox(
  options: {
    pollAnswers?: (tx: string, poll: number) => unknown;
    /** Called as each request is answered. */
    onAnswer?: (sent: Sent) => void;
  } = {},
) {
  const inFlight: { sent: Sent; answer: () => void }[] = [];
  const rounds: Sent[][] = [];
  const all: Sent[] = [];
  let maxInFlight = 0;
  let submits = 0;
  const polls = new Map<string, number>();
  const lists = new Map<string, string[]>();
  const transport: HttpTransport = {
    send(request) {
      if (request.url.endsWith('/accesstoken')) return Promise.resolve(json(200, { accessToken: 'at' }));
      const body = JSON.parse(request.body ?? '{}');
      let sent: Sent;
      let respond: () => HttpResponse;
      if (request.url.endsWith('Async')) {
        submits += 1;
        const tx = `TX-${submits}`;
        lists.set(tx, body.deviceUid);
        sent = { kind: 'submit', tx };
        respond = () => json(200, { result: 'SUCCESS', transactionId: tx });
      } else {
        const tx = String(body.transactionId);
        const poll = (polls.get(tx) ?? 0) + 1;
        polls.set(tx, poll);
        sent = { kind: 'poll', tx };
        respond = () =>
          json(
            200,
            options.pollAnswers?.(tx, poll) ?? {
              result: 'SUCCESS',
              status: 'COMPLETED',
              resultList: (lists.get(tx) ?? []).map(ok),
            },
          );
      }
      all.push(sent);
      return new Promise<HttpResponse>((resolve) => {
        inFlight.push({
          sent,
          answer: () => {
            options.onAnswer?.(sent);
            resolve(respond());
          },
        });
        maxInFlight = Math.max(maxInFlight, inFlight.length);
      });
    },
  };

  /** Turns of the event loop until nothing new happens without an answer. */
  async function quiet(isDone: () => boolean): Promise<void> {
    let last = '';
    for (let stable = 0; stable < 5; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = `${all.length}/${inFlight.length}/${isDone()}`;
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
  }

  /** Answers round after round until `job` settles; resolves with its value. */
  async function drive<T>(job: Promise<T>): Promise<T> {
    let done = false;
    void job.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    for (;;) {
      await quiet(() => done);
      if (done) return job;
      if (inFlight.length === 0) throw new Error('stuck: no request in flight and the job is not done');
      const round = inFlight.splice(0);
      rounds.push(round.map((r) => r.sent));
      for (const request of round) request.answer();
    }
  }

  return { transport, drive, rounds, all, maxInFlight: () => maxInFlight };
}

const slotClient = (transport: HttpTransport, concurrency: number, extra: Partial<KnoxClientOptions> = {}) =>
  testClient(transport, { bulkLimit: 2, concurrency, maxAttempts: 2, ...extra });
const devices = (count: number) => Array.from({ length: count }, (_, i) => `dev-${i}`);

describe('request-level slots', () => {
  it.each([
    // chunks, concurrency, round trips: ceil(2 x chunks / concurrency), at least 2
    { chunks: 10, concurrency: 4, roundTrips: 5 }, // whole chunks in flight: 2 x ceil(10 / 4) = 6
    { chunks: 9, concurrency: 4, roundTrips: 5 },
    { chunks: 3, concurrency: 2, roundTrips: 3 },
    { chunks: 5, concurrency: 3, roundTrips: 4 },
    { chunks: 7, concurrency: 1, roundTrips: 14 },
    { chunks: 4, concurrency: 4, roundTrips: 2 },
    { chunks: 1, concurrency: 4, roundTrips: 2 },
  ])(
    '$chunks chunks, concurrency $concurrency: never more than $concurrency requests in flight, $roundTrips round trips',
    async ({ chunks, concurrency, roundTrips }) => {
      // Prepare
      const knox = roundTripKnox();
      const ids = devices(chunks * 2);

      // Act
      const outcome = await knox.drive(slotClient(knox.transport, concurrency).execute('unlock', ids));

      // Assess
      expect(knox.maxInFlight()).toBe(Math.min(concurrency, chunks));
      expect(knox.maxInFlight()).toBeLessThanOrEqual(concurrency);
      for (const round of knox.rounds) expect(round.length).toBeLessThanOrEqual(concurrency);
      expect(knox.rounds).toHaveLength(roundTrips);
      expect(knox.all.filter((sent) => sent.kind === 'submit')).toHaveLength(chunks);
      expect(outcome.results.map((r) => r.requestedId)).toEqual(ids);
      expect(outcome.results.every((r) => r.ok)).toBe(true);
    },
  );

  it('measures what it bounds: requests sent together are counted in flight together', async () => {
    // The check above could pass vacuously if the harness never saw two requests at once.
    const knox = roundTripKnox();
    const request = (tx: string): HttpRequest => ({
      method: 'POST',
      url: 'https://knox.test/kcs/v1.1/kg/transaction',
      headers: {},
      body: JSON.stringify({ transactionId: tx }),
      timeoutMs: 1000,
    });

    await knox.drive(Promise.all([1, 2, 3, 4, 5].map((n) => knox.transport.send(request(`TX-${n}`)))));

    expect(knox.maxInFlight()).toBe(5);
    expect(knox.rounds).toHaveLength(1);
  });

  it('sends the submits of unsent chunks before any poll', async () => {
    const knox = roundTripKnox();

    await knox.drive(slotClient(knox.transport, 2).execute('unlock', devices(6)));

    const shown = knox.rounds.map((round) => round.map((sent) => `${sent.kind} ${sent.tx}`).sort());
    expect(shown).toEqual([
      ['submit TX-1', 'submit TX-2'],
      ['poll TX-1', 'submit TX-3'],
      ['poll TX-2', 'poll TX-3'],
    ]);
  });

  it('holds no slot while a running transaction is waited for', async () => {
    // Prepare: one slot; TX-1 is still running at its first poll; the poll interval is a wait the
    // test ends by hand.
    const sent: string[] = [];
    const lists = new Map<string, string[]>();
    const transport: HttpTransport = {
      async send(request) {
        if (request.url.endsWith('/accesstoken')) return json(200, { accessToken: 'at' });
        const body = JSON.parse(request.body ?? '{}');
        if (request.url.endsWith('Async')) {
          const tx = `TX-${lists.size + 1}`;
          lists.set(tx, body.deviceUid);
          sent.push(`submit ${tx}`);
          return json(200, { result: 'SUCCESS', transactionId: tx });
        }
        const tx = String(body.transactionId);
        const first = !sent.includes(`poll ${tx}`);
        sent.push(`poll ${tx}`);
        if (tx === 'TX-1' && first) return json(200, { result: 'SUCCESS', status: 'IN_PROGRESS' });
        return json(200, { result: 'SUCCESS', status: 'COMPLETED', resultList: lists.get(tx)?.map(ok) });
      },
    };
    const waits: (() => void)[] = [];
    const sleep = () => new Promise<void>((resolve) => waits.push(resolve));

    // Act
    const job = slotClient(transport, 1, { sleep, transactionPollMs: 1000 }).execute('unlock', devices(4));
    while (waits.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const whileWaiting = [...sent];
    waits[0]?.();
    const outcome = await job;

    // Assess: TX-2 was submitted and polled (and finished) while TX-1's poll waited. (TX-1 is polled
    // before TX-2 is submitted because this Knox answers at once, before the second chunk is cut.)
    expect(whileWaiting).toEqual(['submit TX-1', 'poll TX-1', 'submit TX-2', 'poll TX-2']);
    expect(sent).toEqual([...whileWaiting, 'poll TX-1']);
    expect(outcome.results.every((r) => r.ok)).toBe(true);
  });

  it('holds no slot while a refused submit backs off', async () => {
    const sent: string[] = [];
    let refused = false;
    const lists = new Map<string, string[]>();
    const transport: HttpTransport = {
      async send(request) {
        if (request.url.endsWith('/accesstoken')) return json(200, { accessToken: 'at' });
        const body = JSON.parse(request.body ?? '{}');
        if (request.url.endsWith('Async')) {
          const first = body.deviceUid[0] as string;
          if (first === 'dev-0' && !refused) {
            refused = true;
            sent.push('submit dev-0 (503)');
            return json(503, { result: 'FAIL', error: { message: 'SERVICE_UNAVAILABLE' } });
          }
          const tx = `TX-${first}`;
          lists.set(tx, body.deviceUid);
          sent.push(`submit ${first}`);
          return json(200, { result: 'SUCCESS', transactionId: tx });
        }
        sent.push(`poll ${body.transactionId}`);
        return json(200, {
          result: 'SUCCESS',
          status: 'COMPLETED',
          resultList: lists.get(body.transactionId)?.map(ok),
        });
      },
    };
    const waits: (() => void)[] = [];
    const sleep = () => new Promise<void>((resolve) => waits.push(resolve));

    const job = slotClient(transport, 1, { sleep }).execute('unlock', devices(4));
    while (waits.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const whileBackingOff = [...sent];
    waits[0]?.();
    const outcome = await job;

    expect(whileBackingOff).toEqual(['submit dev-0 (503)', 'submit dev-2', 'poll TX-dev-2']);
    expect(sent.slice(whileBackingOff.length)).toEqual(['submit dev-0', 'poll TX-dev-0']);
    expect(outcome.results.every((r) => r.ok)).toBe(true);
  });

  it('does not send a request whose wait for a slot outlasted the deadline', async () => {
    // Prepare: one slot; TX-2's poll waits for it while TX-1's poll is answered, and that answer
    // takes the clock past the deadline.
    const clock = new FakeClock();
    const knox = roundTripKnox({
      onAnswer: (sent) => {
        if (sent.kind === 'poll') clock.advance(5000);
      },
    });
    const client = slotClient(knox.transport, 1, { clock, sleep: clock.sleep });

    // Act
    const outcome = await knox.drive(
      client.execute('unlock', devices(4), {}, { deadline: clock.now() + 1000 }),
    );

    // Assess
    expect(knox.rounds).toEqual([
      [{ kind: 'submit', tx: 'TX-1' }],
      [{ kind: 'submit', tx: 'TX-2' }],
      [{ kind: 'poll', tx: 'TX-1' }],
    ]);
    expect(outcome.results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'ok',
      // No result by the deadline: handed back for redelivery, not reported as a failure of Knox.
      'NOT_FINISHED',
      'NOT_FINISHED',
    ]);
  });
});

describe('transaction answers of the wrong shape', () => {
  /** Async submits succeed; the first `garbled` polls answer `bad`, later ones the results. */
  function garbledPolls(garbled: number, bad: HttpResponse) {
    let polls = 0;
    const paths: string[] = [];
    const transport: HttpTransport = {
      async send(request: HttpRequest) {
        if (request.url.endsWith('/accesstoken')) return json(200, { accessToken: 'at' });
        const body = JSON.parse(request.body ?? '{}');
        paths.push(new URL(request.url).pathname);
        if (request.url.endsWith('Async')) return json(200, { result: 'SUCCESS', transactionId: 'TX-1' });
        if (body.transactionId !== undefined) {
          polls += 1;
          if (polls <= garbled) return bad;
          return json(200, { result: 'SUCCESS', status: 'COMPLETED', resultList: ['a', 'b'].map(ok) });
        }
        return json(200, { result: 'SUCCESS', objectId: `O-${body.deviceUid}` });
      },
    };
    return { transport, paths, polls: () => polls };
  }

  it.each([
    { label: 'a JSON list', bad: json(200, []) },
    { label: 'a resultList that is not a list', bad: json(200, { resultList: 'soon' }) },
  ])(
    'retries one poll answered with $label (MALFORMED_RESPONSE is retryable) and stays bulk',
    async ({ bad }) => {
      const { transport, polls } = garbledPolls(1, bad);
      const outcome = await testClient(transport, { maxAttempts: 50 }).execute('blink', ['a', 'b'], {
        message: 'm',
        email: 'x@y.example',
      });
      expect(outcome.results.map((r) => r.ok)).toEqual([true, true]);
      expect(outcome.bulkPathUnavailable).toBeUndefined();
      expect(polls()).toBe(2);
    },
  );

  it('runs per device once the transaction answers the wrong shape three times in a row', async () => {
    const { transport, paths, polls } = garbledPolls(10, json(200, []));
    const outcome = await testClient(transport, { maxAttempts: 50 }).execute('blink', ['a', 'b'], {
      message: 'm',
      email: 'x@y.example',
    });
    expect(polls()).toBe(3);
    expect(outcome.bulkPathUnavailable?.reason).toContain('not a JSON object');
    expect(outcome.results.map((r) => r.ok)).toEqual([true, true]);
    expect(paths.filter((path) => path.endsWith('/blink'))).toHaveLength(2);
  });
});

describe('resuming a transaction left unfinished (issue 13.9: no device operated twice)', () => {
  /** Knox with one earlier transaction TX-old that reports `reported` and never the other ids. */
  function earlierTransaction(reported: readonly string[], transactionStatus = 200) {
    const requests: { path: string; body: Record<string, unknown> }[] = [];
    const transport: HttpTransport = {
      async send(request: HttpRequest) {
        if (request.url.endsWith('/accesstoken')) return json(200, { accessToken: 'at' });
        const body = JSON.parse(request.body ?? '{}');
        requests.push({ path: new URL(request.url).pathname, body });
        if (!request.url.endsWith('/transaction')) return json(200, { result: 'SUCCESS' });
        if (transactionStatus !== 200) return json(transactionStatus, { result: 'FAIL' });
        if (body.transactionId !== 'TX-old') {
          return json(400, { result: 'FAIL', error: { code: 4000001, message: 'RESOURCE_INVALID_PARAM' } });
        }
        return json(200, { result: 'SUCCESS', resultList: reported.map(ok) });
      },
    };
    return { transport, requests };
  }

  it('polls the earlier transaction instead of submitting: reported devices get their result, the rest stay NOT_FINISHED', async () => {
    const { transport, requests } = earlierTransaction(['a', 'b']);
    const knox = testClient(transport, { bulkLimit: 10 });

    const outcome = await knox.execute(
      'sendMessage',
      ['a', 'b', 'c'],
      { message: 'Pay', tel: '+15550100' },
      {
        resume: { transactionId: 'TX-old' },
      },
    );

    expect(outcome.results.map((r) => (r.ok ? r.objectId : r.error.codeName))).toEqual([
      'O-a',
      'O-b',
      'NOT_FINISHED',
    ]);
    expect(outcome.unfinishedTransactions).toEqual(['TX-old']);
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request.path.endsWith('/transaction')).toBe(true);
      expect(request.body).toEqual({ transactionId: 'TX-old' });
    }
  });

  it('resumes a single device by polling too (never the sync call)', async () => {
    const { transport, requests } = earlierTransaction(['a']);
    const outcome = await testClient(transport).execute(
      'unlock',
      ['a', 'a'],
      {},
      {
        resume: { transactionId: 'TX-old' },
      },
    );
    expect(outcome.results.map((r) => r.ok)).toEqual([true, true]);
    expect(outcome.unfinishedTransactions).toBeUndefined();
    expect(requests.map((r) => r.path.split('/').pop())).toEqual(['transaction']);
  });

  it('does not fall back to per-device calls when the transaction path is missing while resuming', async () => {
    const { transport, requests } = earlierTransaction([], 404);
    const outcome = await testClient(transport).execute(
      'sendMessage',
      ['a', 'b'],
      { message: 'Pay' },
      {
        resume: { transactionId: 'TX-old' },
      },
    );
    expect(outcome.results.map((r) => (r.ok ? 'ok' : r.error.codeName))).toEqual([
      'NOT_FINISHED',
      'NOT_FINISHED',
    ]);
    expect(outcome.unfinishedTransactions).toEqual(['TX-old']);
    expect(requests.every((r) => r.path.endsWith('/transaction'))).toBe(true);
  });

  it('names the transaction of devices left NOT_FINISHED by a fresh submit', async () => {
    const { transport } = bulkTransport((ids) => ids.slice(1).map(ok));
    const outcome = await client(transport, 10).execute('unlock', ['a', 'b', 'c']);
    expect(outcome.results.map((r) => r.ok)).toEqual([false, true, true]);
    expect(outcome.unfinishedTransactions).toEqual(['TX-1']);
    const complete = await client(bulkTransport((ids) => ids.map(ok)).transport, 10).execute('unlock', [
      'a',
      'b',
    ]);
    expect(complete.unfinishedTransactions).toBeUndefined();
  });
});
