// The client side of a job, bundled by bench/run.ts and run with plain node in its own process
// (the simulator runs in another), so CPU time and peak RSS are the client's alone.
//   throughput: lock `devices` generated devices with one `execute` call (bulk chunks; the default
//               concurrency: 4 Knox Guard requests in flight, submits and polls alike)
//   memory:     a scheduled job over a Knox Guard list filter, pages streamed into chunk messages
// Input: JSON in argv[2]. Output: one JSON line on stdout.
import type { JobConfig } from '../lib/config';
import { createKnoxClient } from '../lib/knox';
import { runScheduledJob } from '../lib/operations';
import { generatedDeviceUid } from '../local/simulator/DeviceStore';

interface Input {
  readonly mode: 'throughput' | 'memory';
  readonly url: string;
  readonly clientIdentifier: string;
  readonly certificate: { Public: string; Private: string };
  readonly devices: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const knox = createKnoxClient({
  baseUrl: input.url,
  clientIdentifier: input.clientIdentifier,
  certificate: input.certificate,
});
await knox.whoAmI(); // the access token, so the measurement is the job alone
const rssBefore = process.memoryUsage().rss;

if (input.mode === 'throughput') {
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
