// The client side of a job, bundled by bench/run.ts and run with plain node in its own process
// (the simulator runs in another), so CPU time and peak RSS are the client's alone.
//   throughput: lock `devices` generated devices with one `execute` call (bulk chunks; the default
//               concurrency: 4 Knox Guard requests in flight, submits and polls alike)
//   memory:     a scheduled job over a Knox Guard list filter, pages streamed into chunk messages
//   worker:     one operation-worker environment as shipped (bench/shippedWorker.ts): its client
//               settings and rate limit, `chunks` chunk messages of `chunkSize` devices run one
//               after another through executeChunk, as the worker's SQS batches deliver them
//   fallback:   the per-device fallback (the simulator refuses the ...Async path): `devices`
//               devices locked one sync call each at the client's configured rate
// Input: JSON in argv[2]. Output: one JSON line on stdout.
import type { JobConfig } from '../lib/config';
import { createKnoxClient, type HttpTransport, nodeHttpTransport } from '../lib/knox';
import { CHUNK_MESSAGE_VERSION, executeChunk, parseChunkMessage, runScheduledJob } from '../lib/operations';
import { generatedDeviceUid } from '../local/simulator/DeviceStore';

interface Input {
  readonly mode: 'throughput' | 'memory' | 'worker' | 'fallback';
  readonly url: string;
  readonly clientIdentifier: string;
  readonly certificate: { Public: string; Private: string };
  readonly devices: number;
  /** worker, fallback: the client's settings as the worker builds them (functions/shared/runtime.ts). */
  readonly bulkLimit?: number;
  readonly ratePerSecond?: number;
  /** worker: chunk messages to run, devices per chunk, the index of the first device. */
  readonly chunks?: number;
  readonly chunkSize?: number;
  readonly firstDevice?: number;
  /** worker: wall-clock ms (Date.now) at which to start, so environments in other processes start together. */
  readonly startAt?: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
// Send times of the requests that reach the wire (after the client's rate limiter).
const sent: number[] = [];
const counted = (inner: HttpTransport): HttpTransport => ({
  send: (request) => {
    if (!request.url.includes('/accesstoken')) sent.push(performance.timeOrigin + performance.now());
    return inner.send(request);
  },
});
const knox = createKnoxClient({
  baseUrl: input.url,
  clientIdentifier: input.clientIdentifier,
  certificate: input.certificate,
  ...(input.bulkLimit === undefined ? {} : { bulkLimit: input.bulkLimit }),
  ...(input.ratePerSecond === undefined
    ? {}
    : { maxRequestsPerSecond: input.ratePerSecond, transport: counted(nodeHttpTransport()) }),
});
await knox.whoAmI(); // the access token, so the measurement is the job alone
const rssBefore = process.memoryUsage().rss;

if (input.mode === 'worker') {
  const chunkSize = input.chunkSize ?? 10_000;
  const first = input.firstDevice ?? 0;
  // Built before the start: the messages arrive from SQS, they are not the worker's work.
  const bodies = Array.from({ length: input.chunks ?? 1 }, (_, chunk) =>
    JSON.stringify({
      v: CHUNK_MESSAGE_VERSION,
      stage: 'bench',
      job: 'bench-worker',
      runId: `bench-worker@${first}`,
      operation: 'lock',
      params: { message: 'Payment overdue.', tel: '+4930123456' },
      attempt: 0,
      chunk,
      deviceUids: Array.from({ length: chunkSize }, (_, k) =>
        generatedDeviceUid(first + chunk * chunkSize + k),
      ),
    }),
  );
  // The whoAmI request took a slot of the rate limiter; the common start is later than its interval.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (input.startAt ?? 0) - Date.now())));
  sent.length = 0;
  const startedAt = performance.timeOrigin + performance.now();
  let succeeded = 0;
  for (const body of bodies) {
    // As the worker does per record: parse the message, run the chunk (the idempotency and alert
    // round trips to DynamoDB and SNS are not Knox Guard's and are left out).
    const outcome = await executeChunk(parseChunkMessage(body), {
      executor: knox,
      deadline: Date.now() + 60_000,
    });
    succeeded += outcome.succeeded;
  }
  const endedAt = performance.timeOrigin + performance.now();
  console.log(JSON.stringify({ startedAt, endedAt, succeeded, requests: sent.length, sent }));
} else if (input.mode === 'fallback') {
  const ids = Array.from({ length: input.devices }, (_, index) => generatedDeviceUid(index));
  // Past the rate limiter's slot that whoAmI took.
  await new Promise((resolve) => setTimeout(resolve, 1000 / (input.ratePerSecond ?? 1)));
  sent.length = 0;
  const started = performance.timeOrigin + performance.now();
  const outcome = await knox.execute('lock', ids, { message: 'Payment overdue.', tel: '+4930123456' });
  const ms = performance.timeOrigin + performance.now() - started;
  console.log(
    JSON.stringify({
      ms,
      succeeded: outcome.results.filter((result) => result.ok).length,
      bulkPathUnavailable: outcome.bulkPathUnavailable?.reason,
      requests: sent.length,
      sentMs: sent.map((at) => at - started),
    }),
  );
} else if (input.mode === 'throughput') {
  const ids = Array.from({ length: input.devices }, (_, index) => generatedDeviceUid(index));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await knox.execute('lock', ids, { message: 'Payment overdue.', tel: '+4930123456' });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const succeeded = outcome.results.filter((result) => result.ok).length;
  console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, succeeded }));
} else {
  let messages = 0;
  let devices = 0;
  const job: JobConfig = {
    name: 'bench-list',
    operation: 'blink',
    enabled: true,
    targets: { source: 'knox', filter: {} },
    message: 'Reminder',
    contact: { tel: '+4930123456' },
  };
  const started = performance.now();
  const summary = await runScheduledJob(job, {
    stage: 'bench',
    runId: 'bench-list@1',
    defaults: { chunkSize: 10_000, inlineLimit: 2_000 },
    targets: { devices: knox },
    // Chunk messages are counted and dropped: the queue is not what this measures.
    queue: {
      send: async (batch) => {
        messages += batch.length;
        for (const message of batch) devices += message.deviceUids.length;
      },
    },
    executor: knox,
    sink: { process: async () => undefined },
  });
  const ms = performance.now() - started;
  console.log(
    JSON.stringify({
      ms,
      targets: summary.targets,
      messages,
      devices,
      rssBeforeMb: rssBefore / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}
