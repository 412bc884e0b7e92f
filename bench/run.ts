// `npm run bench`: bundle sizes, cold starts, Knox Guard client throughput, CPU and memory, error
// decoding and alert fan-in, measured on this machine. Prints one table and writes
// bench/results/latest.json (docs/performance.md explains every figure and its target).
// Reports only; no figure fails the run.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { build } from 'esbuild';
import { Bench } from 'tinybench';
import {
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
} from '../lib/alerts';
import { decode, type KnoxCodeName, knoxCode } from '../lib/errors';
import { CLIENT_DEFAULTS } from '../lib/knox';
import { CHUNK_MESSAGE_VERSION, planCapacity } from '../lib/operations';
import { KNOX_EVENTS_MESSAGE_VERSION, knoxCallbackHeaders } from '../lib/webhooks';
import { asyncFailureRecord, httpApiEvent, sqsEvent, startEmbeddedStack } from '../local/embedded';
import type { KnoxSimulatorOptions } from '../local/simulator';
import { generatedDeviceUid } from '../local/simulator';
import { buildFunctions, FUNCTION_ENTRIES, type FunctionName, lambdaBundleOptions } from '../scripts/build';
import { findDuplicatePackages } from '../scripts/findDuplicatePackages';
import { parseScriptArgs } from '../scripts/parseScriptArgs';
import { type ShippedWorker, shippedWorker } from './shippedWorker';

const SECTIONS = [
  'bundles',
  'cold-starts',
  'throughput',
  'fallback',
  'memory',
  'decode',
  'alerts',
  'callback-ack',
] as const;
type Section = (typeof SECTIONS)[number];
const USAGE = [
  'usage: npm run bench -- [--only <section>]... [--cold-starts <n>] [--throughput-runs <n>]',
  '                        [--stage <name>] [--cpu-prof <dir>] [--cold-start-import <file>]',
  `  sections: ${SECTIONS.join(', ')}; with --only, results go to .tmp/bench/partial.json, not bench/results/latest.json`,
  '  --stage: whose shipped worker settings (serverless.yml params) the throughput figures use; default prod',
  '  --cpu-prof: V8 CPU profiles of every cold start, written to <dir>',
  '  --cold-start-import: a module each cold-start process imports first (node --import), e.g. a trace',
].join('\n');
const args = parseScriptArgs(
  {
    only: { type: 'string', multiple: true },
    'cold-starts': { type: 'string', default: process.env.BENCH_COLD_STARTS ?? '20' },
    'throughput-runs': { type: 'string', default: process.env.BENCH_THROUGHPUT_RUNS ?? '5' },
    stage: { type: 'string', default: 'prod' },
    'cpu-prof': { type: 'string' },
    'cold-start-import': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  USAGE,
);
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const positiveCount = (flag: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${flag} must be a positive integer, got ${JSON.stringify(text)}\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
};
const only = new Set<string>(args.only ?? SECTIONS);
for (const section of only) {
  if (!(SECTIONS as readonly string[]).includes(section)) {
    process.stderr.write(`--only: no section ${JSON.stringify(section)}\n${USAGE}\n`);
    process.exit(2);
  }
}
const runs = (section: Section): boolean => only.has(section);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, '.tmp', 'bench');
const COLD_STARTS = positiveCount('cold-starts', args['cold-starts']);
const THROUGHPUT_DEVICES = 100_000;
const THROUGHPUT_RUNS = positiveCount('throughput-runs', args['throughput-runs']);
const MEMORY_DEVICES = 1_000_000;
// Knox Guard's response time the throughput figures are measured at (the simulator's floor).
const LATENCY_MS = 100;
// Chunks each shipped worker environment runs in the throughput measurement.
const CHUNKS_PER_ENVIRONMENT = 3;
// Devices the per-device fallback runs (one sync call each at the worker's rate).
const FALLBACK_DEVICES = 30;
const run = promisify(execFile);

const log = (message: string): void => console.error(`[bench] ${message}`);
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
// The middle value, or the mean of the two middle ones when the count is even. (`quantile` is the
// nearest-rank definition, which the cold-start figures have always used.)
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
};

// ---------------------------------------------------------------------------------------------
async function bundles() {
  log('building the function bundles (scripts/build.ts)');
  const built = await buildFunctions();
  const rows = await Promise.all(
    built.map(async (fn) => {
      const dir = join(fn.file, '..');
      // Everything the function ships that Node loads (code splitting would add chunks here).
      const files = (await readdir(dir)).filter((file) => file.endsWith('.mjs'));
      const contents = await Promise.all(files.map((file) => readFile(join(dir, file))));
      const bytes = contents.reduce((sum, c) => sum + c.byteLength, 0);
      const gzipBytes = contents.reduce((sum, c) => sum + gzipSync(c).byteLength, 0);
      const byOrigin = await bytesByOrigin(join(dir, 'meta.json'));
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const duplicates = await findDuplicatePackages(Object.keys(meta.inputs), ROOT);
      return { name: fn.name, file: fn.file, bytes, gzipBytes, byOrigin, duplicates };
    }),
  );
  return rows;
}

type Origin = 'awsSdk' | 'powertools' | 'otherLibraries' | 'own';

// Which part of a bundle is whose: the minified bytes esbuild attributes to each input (metafile
// `bytesInOutput`, summed over the .mjs files the function ships), by where the input lives. The
// AWS SDK is the clients with Smithy and their @aws/@aws-crypto helpers; Powertools its packages.
async function bytesByOrigin(metaFile: string): Promise<Record<Origin, number>> {
  const meta = JSON.parse(await readFile(metaFile, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const totals: Record<Origin, number> = { awsSdk: 0, powertools: 0, otherLibraries: 0, own: 0 };
  for (const [file, output] of Object.entries(meta.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const origin: Origin =
        pkg === undefined
          ? 'own'
          : /^@(aws-sdk|smithy|aws|aws-crypto)\//.test(pkg)
            ? 'awsSdk'
            : pkg.startsWith('@aws-lambda-powertools/')
              ? 'powertools'
              : 'otherLibraries';
      totals[origin] += bytesInOutput;
    }
  }
  return totals;
}

// ---------------------------------------------------------------------------------------------
async function buildBenchArtifacts() {
  await mkdir(join(WORK, 'empty'), { recursive: true });
  await writeFile(join(WORK, 'empty', 'handler.mjs'), 'export const handler = async () => ({});\n');
  const common = { bundle: true, format: 'esm', platform: 'node', target: 'node22', minify: true } as const;
  await build({
    ...common,
    entryPoints: [join(WORK, 'empty', 'handler.mjs')],
    outfile: join(WORK, 'empty', 'index.mjs'),
  });
  // The two cold-start references, built exactly as the functions are (credential plugin,
  // splitting, minification). Their sizes are reported next to the functions'.
  const references: Record<string, number> = {};
  for (const [name, entry] of [
    ['sdk-reference', 'sdkReferenceHandler.ts'],
    ['signed-reference', 'signedReferenceHandler.ts'],
  ] as const) {
    const dir = join(WORK, name);
    await rm(dir, { recursive: true, force: true });
    const result = await build({
      ...lambdaBundleOptions(join(ROOT, 'bench', entry), dir, '{}'),
      write: true,
    });
    references[name] = Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.mjs'))
      .reduce((sum, [, output]) => sum + output.bytes, 0);
  }
  await build({
    ...common,
    entryPoints: [join(ROOT, 'bench', 'clientJob.ts')],
    outfile: join(WORK, 'clientJob.mjs'),
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return references;
}

// ---------------------------------------------------------------------------------------------
type ColdTarget = FunctionName | 'empty' | 'sdk-reference' | 'signed-reference';

async function coldStarts() {
  log(`cold starts: ${COLD_STARTS} fresh processes per handler against the embedded stack`);
  // Enough devices that every worker cold start blinks 100 it has not touched (see eventFor).
  const env = await startEmbeddedStack({
    build: false,
    simulator: { seed: { devices: (COLD_STARTS + 2) * 100, mix: { Enrolled: 100 } } },
  });
  try {
    // A generous Knox Guard rate: the client-side limiter spaces requests by design (planCapacity),
    // and its waits are Knox Guard's limit, not start-up cost.
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      KNOX_RATE_LIMIT_PER_SECOND: '10000',
      // The local simulator answers in a few ms; the plan (and so the client's request spacing)
      // follows the latency of the Knox Guard it talks to.
      KNOX_LATENCY_MS: '5',
    };
    // As deployed: the jobs configuration embedded in the bundle, not read from a file.
    delete childEnv.JOBS_CONFIG_PATH;
    delete childEnv.NODE_OPTIONS; // tsx's loader must not be in the measured processes
    const bundleOf = (target: ColdTarget) =>
      target === 'empty' || target === 'sdk-reference' || target === 'signed-reference'
        ? join(WORK, target, 'index.mjs')
        : join(ROOT, 'dist', 'functions', target, 'index.mjs');
    // Every worker cold start gets a chunk of the same run, as the workers a large job scales out
    // to do. A new run per start would make each one also flush the previous run's digest (alert
    // pipeline and SNS client loaded, a claim and a PublishBatch): the once-per-run path.
    const workerRunId = `bench@${randomUUID()}`;
    const eventFor = async (target: ColdTarget, i: number): Promise<string> => {
      let event: unknown = {};
      if (target === 'scheduled-run') {
        event = { job: 'licence-health', scheduledTime: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() };
      } else if (target === 'operation-worker') {
        const message = {
          v: CHUNK_MESSAGE_VERSION,
          stage: env.stack.stage,
          job: 'bench',
          runId: workerRunId,
          operation: 'blink',
          params: { message: 'Your instalment is due.', tel: '+4930123456' },
          attempt: 0,
          chunk: i,
          // Fresh devices each time: the common first invocation, a chunk Knox Guard carries out.
          // Blinking the same devices again would make every run after the first a chunk of
          // DEVICE_STATE_INVALID failures, i.e. measure the alert path instead.
          deviceUids: Array.from({ length: 100 }, (_, k) => generatedDeviceUid(i * 100 + k)),
        };
        event = sqsEvent(env.stack.queueArn, [{ MessageId: randomUUID(), Body: JSON.stringify(message) }]);
      } else if (target === 'run-failures') {
        // One scheduled run Lambda gave up on (a job not seen before): one SCHEDULED_RUN_FAILED alert.
        const record = asyncFailureRecord({
          functionArn: `arn:aws:lambda:eu-central-1:000000000000:function:bench-scheduledRun`,
          requestId: randomUUID(),
          payload: {
            job: `bench-job-${i}`,
            scheduledTime: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          },
          error: new Error('bench: the run threw on every attempt'),
          attempts: 3,
        });
        event = sqsEvent(env.stack.runFailures.queueArn, [
          { MessageId: randomUUID(), Body: JSON.stringify(record) },
        ]);
      } else if (target === 'knox-events') {
        // One admitted Knox callback event on a device not seen before: a fresh idempotency record
        // and an alert observation, the common path.
        const message = {
          v: KNOX_EVENTS_MESSAGE_VERSION,
          requestId: randomUUID(),
          receivedAt: Date.now(),
          events: [
            {
              index: 0,
              total: 1,
              record: {
                event: 'KG_DEVICE_LOCKED',
                payload: {
                  deviceUid: generatedDeviceUid(i),
                  deviceStatus: 'Locked',
                  lastUpdatedAt: Date.now(),
                },
              },
            },
          ],
        };
        event = sqsEvent(env.stack.knoxEvents.queueArn, [
          { MessageId: randomUUID(), Body: JSON.stringify(message) },
        ]);
      } else if (target === 'webhook') {
        const body = JSON.stringify({
          operation: 'blink',
          deviceUids: Array.from({ length: 10 }, (_, k) => generatedDeviceUid(k)),
          message: 'Your instalment is due.',
          tel: '+4930123456',
        });
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = createHmac('sha256', env.hmacSecret).update(`${timestamp}.${body}`).digest('hex');
        event = httpApiEvent(
          'POST',
          '/operations',
          {
            'content-type': 'application/json',
            'x-sentinel-timestamp': timestamp,
            'x-sentinel-signature': `v1=${signature}`,
          },
          body,
        );
      }
      const file = join(WORK, 'events', `${target}-${i}.json`);
      await writeFile(file, JSON.stringify(event));
      return file;
    };
    await mkdir(join(WORK, 'events'), { recursive: true });
    const targets: ColdTarget[] = [
      'empty',
      'sdk-reference',
      'signed-reference',
      ...(Object.keys(FUNCTION_ENTRIES) as FunctionName[]),
    ];
    const samples = Object.fromEntries(targets.map((t) => [t, [] as number[]])) as Record<
      ColdTarget,
      number[]
    >;
    const imports = Object.fromEntries(targets.map((t) => [t, [] as number[]])) as Record<
      ColdTarget,
      number[]
    >;
    const failures: string[] = [];
    // One discarded round warms the file cache; then targets interleave so drift hits all alike.
    for (let i = -1; i < COLD_STARTS; i += 1) {
      for (const target of targets) {
        const eventFile = await eventFor(target, i + 1);
        const { stdout } = await run(
          process.execPath,
          [
            ...(args['cpu-prof'] === undefined || i < 0
              ? []
              : ['--cpu-prof', '--cpu-prof-dir', join(args['cpu-prof'], target)]),
            ...(args['cold-start-import'] === undefined || i < 0
              ? []
              : ['--import', args['cold-start-import']]),
            join(ROOT, 'bench', 'coldStart.mjs'),
            bundleOf(target),
            eventFile,
            `knox-guard-sentinel-bench-${target}`,
          ],
          { env: childEnv, maxBuffer: 16 * 2 ** 20 },
        );
        const line = stdout.trim().split('\n').pop() ?? '{}';
        const result = JSON.parse(line) as { ms: number; importMs: number; ok: boolean; detail?: unknown };
        if (!result.ok) failures.push(`${target}: ${String(result.detail)}`);
        if (i >= 0) samples[target].push(result.ms);
        if (i >= 0) imports[target].push(result.importMs);
      }
      if (i >= 0 && (i + 1) % 5 === 0) log(`  cold starts ${i + 1}/${COLD_STARTS}`);
    }
    if (failures.length > 0) throw new Error(`cold-start invocations failed:\n${failures.join('\n')}`);
    const floor = { median: quantile(samples.empty, 0.5), p90: quantile(samples.empty, 0.9) };
    const reference = (target: 'sdk-reference' | 'signed-reference') => {
      const median = quantile(samples[target], 0.5);
      return {
        medianMs: round(median),
        overheadMedianMs: round(median - floor.median),
        importMedianMs: round(quantile(imports[target], 0.5)),
      };
    };
    return {
      runs: COLD_STARTS,
      floor: { medianMs: round(floor.median), p90Ms: round(floor.p90) },
      // One DynamoDB client and one GetItem (bench/sdkReferenceHandler.ts): what the AWS SDK
      // alone adds to a cold start here, for reading the functions' overheads against.
      sdkReference: reference('sdk-reference'),
      // The same GetItem signed with the SDK's SigV4 signer and sent with node:http, no client
      // (bench/signedReferenceHandler.ts): what leaving the SDK clients would cost instead.
      signedReference: reference('signed-reference'),
      functions: Object.fromEntries(
        (Object.keys(FUNCTION_ENTRIES) as FunctionName[]).map((name) => {
          const median = quantile(samples[name], 0.5);
          const p90 = quantile(samples[name], 0.9);
          return [
            name,
            {
              medianMs: round(median),
              p90Ms: round(p90),
              overheadMedianMs: round(median - floor.median),
              overheadP90Ms: round(p90 - floor.p90),
              ratioMedian: round(median / floor.median, 2),
              // The bundle's import alone (parse, compile, module evaluation); the rest of the
              // median is the first invocation against the local servers.
              importMedianMs: round(quantile(imports[name], 0.5)),
            },
          ];
        }),
      ) as Record<
        FunctionName,
        {
          medianMs: number;
          p90Ms: number;
          overheadMedianMs: number;
          overheadP90Ms: number;
          ratioMedian: number;
          importMedianMs: number;
        }
      >,
    };
  } finally {
    await env.close();
  }
}

// ---------------------------------------------------------------------------------------------
interface SimHandle {
  readonly url: string;
  readonly certificate: { Public: string; Private: string };
  readonly clientIdentifier: string;
  readonly child: ChildProcess;
}

async function startSimulatorProcess(options: KnoxSimulatorOptions): Promise<SimHandle> {
  const child = fork(join(ROOT, 'bench', 'simulatorProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<Omit<SimHandle, 'child'>>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Omit<SimHandle, 'child'>));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
  child.send(options);
  const started = await ready;
  child.removeAllListeners('exit');
  return { ...started, child };
}

function stopSimulatorProcess(sim: SimHandle): Promise<void> {
  return new Promise((resolve) => {
    sim.child.once('exit', () => resolve());
    sim.child.send('close');
  });
}

// The V8 heap of a 128 MB Lambda function: Lambda's Node.js bootstrap sizes the young generation to
// a tenth of the memory size and gives the rest to the old generation. Without these limits V8
// sizes its heap for this 24 GiB machine and lets garbage pile up before collecting it.
const LAMBDA_128MB_HEAP = ['--max-semi-space-size=6', '--max-old-space-size=115'];

async function clientJob<T>(
  sim: SimHandle,
  mode: 'throughput' | 'memory' | 'worker' | 'fallback',
  devices: number,
  nodeArgs: readonly string[] = [],
  extra: Record<string, unknown> = {},
): Promise<T> {
  const input = {
    ...extra,
    mode,
    url: sim.url,
    clientIdentifier: sim.clientIdentifier,
    certificate: sim.certificate,
    devices,
  };
  const { stdout } = await run(
    process.execPath,
    [...nodeArgs, join(WORK, 'clientJob.mjs'), JSON.stringify(input)],
    {
      maxBuffer: 16 * 2 ** 20,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}

async function throughput() {
  type JobResult = { ms: number; cpuMs: number; succeeded: number };
  const results: Record<string, JobResult & { runsMs: number[] }> = {};
  for (const latencyMs of [0, 100]) {
    log(
      `throughput: lock ${THROUGHPUT_DEVICES.toLocaleString('en')} devices, ${latencyMs} ms injected latency, ${THROUGHPUT_RUNS} runs`,
    );
    // Each run is a fresh client process against a fresh simulator (every device Enrolled again).
    // One run varies by a few per cent on this machine; the median of several is the figure.
    const runs: JobResult[] = [];
    for (let run = 0; run < THROUGHPUT_RUNS; run += 1) {
      const sim = await startSimulatorProcess({
        seed: { devices: THROUGHPUT_DEVICES, mix: { Enrolled: 100 }, simControlRatio: 0 },
        latencyMs,
      });
      try {
        runs.push(await clientJob<JobResult>(sim, 'throughput', THROUGHPUT_DEVICES));
      } finally {
        await stopSimulatorProcess(sim);
      }
    }
    results[latencyMs] = {
      ms: median(runs.map((r) => r.ms)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      succeeded: Math.min(...runs.map((r) => r.succeeded)),
      runsMs: runs.map((r) => round(r.ms)),
    };
  }
  const at0 = results[0] as JobResult & { runsMs: number[] };
  const at100 = results[100] as JobResult & { runsMs: number[] };
  const { bulkLimit, concurrency } = CLIENT_DEFAULTS;
  // A bulk chunk is two round trips (the ...Async submit, then its /transaction result).
  const roundTripsPerChunk = 2;
  const bound100 = (bulkLimit * concurrency) / ((roundTripsPerChunk * 100) / 1000);
  const perSecond100 = (THROUGHPUT_DEVICES / at100.ms) * 1000;
  // `concurrency` counts requests in flight (submits and polls share the slots), so the job's
  // 2 x chunks requests need at least ceil(2 x chunks / concurrency) round trips (and 2: a poll
  // follows its submit): the best any client can do at this size. 100,000 devices: ceil(20 / 4) = 5
  // round trips, the bound itself.
  const chunks = Math.ceil(THROUGHPUT_DEVICES / bulkLimit);
  const roundTrips = Math.max(2, Math.ceil((roundTripsPerChunk * chunks) / concurrency));
  const ceiling = THROUGHPUT_DEVICES / ((roundTrips * 100) / 1000);
  return {
    devices: THROUGHPUT_DEVICES,
    bulkLimit,
    concurrency,
    latency0: {
      ms: round(at0.ms),
      devicesPerSec: Math.round((THROUGHPUT_DEVICES / at0.ms) * 1000),
      succeeded: at0.succeeded,
      runsMs: at0.runsMs,
    },
    latency100: {
      ms: round(at100.ms),
      devicesPerSec: Math.round(perSecond100),
      succeeded: at100.succeeded,
      boundDevicesPerSec: Math.round(bound100),
      ratio: round(perSecond100 / bound100, 3),
      roundTrips,
      ceilingDevicesPerSec: Math.round(ceiling),
      ratioToCeiling: round(perSecond100 / ceiling, 3),
      runsMs: at100.runsMs,
      // The slowest and the fastest run, as shares of the bound.
      ratioRange: [Math.max(...at100.runsMs), Math.min(...at100.runsMs)].map((ms) =>
        round(THROUGHPUT_DEVICES / (ms / 1000) / bound100, 3),
      ),
    },
    cpuMsPer1kDevices: round(at0.cpuMs / (THROUGHPUT_DEVICES / 1000), 2),
  };
}

/**
 * The operation worker as a stage ships it (bench/shippedWorker.ts: chunk size, bulk limit, rate
 * limit, SQS batch size and maximum concurrency), at 100 ms Knox Guard latency: `environments`
 * worker processes start together, each runs CHUNKS_PER_ENVIRONMENT chunk messages in turn
 * (a chunk's submit, then its transaction poll: one request in flight per environment, spaced by
 * the environment's share of the tenant's rate). The bound is what those settings allow at this
 * latency: per environment, its 2 x chunks requests one after another, each after the previous
 * answer and its rate-limit slot, i.e. (requests - 1) x max(1000 / rate, latency) + latency ms.
 * One environment by default: deployed environments are separate Lambda sandboxes with their own
 * CPU and their own share of the rate, so the fleet's ratio is one environment's, while eleven
 * processes on this 2-vCPU machine would measure the machine (docs/performance.md has both).
 */
async function shippedThroughput(
  worker: ShippedWorker,
  ratePerSecond = worker.ratePerSecond,
  environments = 1,
) {
  type WorkerResult = {
    startedAt: number;
    endedAt: number;
    succeeded: number;
    requests: number;
    sent: number[];
  };
  const chunks = CHUNKS_PER_ENVIRONMENT * worker.batchSize;
  const perEnvironment = chunks * worker.chunkSize;
  const devices = environments * perEnvironment;
  log(
    `throughput as shipped (${worker.stage}): ${environments} worker environment(s) x ${chunks} chunks of ${worker.chunkSize.toLocaleString('en')} devices at ${round(ratePerSecond, 2)} requests/s each, ${LATENCY_MS} ms latency, ${THROUGHPUT_RUNS} runs`,
  );
  const requestsPerChunk = 2 * Math.ceil(worker.chunkSize / worker.bulkLimit);
  const requests = chunks * requestsPerChunk;
  const idealMs = (requests - 1) * Math.max(1000 / ratePerSecond, LATENCY_MS) + LATENCY_MS;
  const boundDevicesPerSec = (devices / idealMs) * 1000;
  const runsMs: number[] = [];
  let succeeded = Number.POSITIVE_INFINITY;
  // Gaps between one environment's consecutive requests beyond the rate limiter's interval and the
  // latency: where the time over the bound goes (client work between an answer and the next send).
  const gapsOverMs: number[] = [];
  for (let run = 0; run < THROUGHPUT_RUNS; run += 1) {
    const sim = await startSimulatorProcess({
      seed: { devices, mix: { Enrolled: 100 }, simControlRatio: 0 },
      latencyMs: LATENCY_MS,
    });
    try {
      // Time for every process to start and fetch its token before the common start.
      const startAt = Date.now() + 1_500 + 200 * environments;
      const results = await Promise.all(
        Array.from({ length: environments }, (_, environment) =>
          clientJob<WorkerResult>(sim, 'worker', devices, [], {
            bulkLimit: worker.bulkLimit,
            ratePerSecond,
            chunks,
            chunkSize: worker.chunkSize,
            firstDevice: environment * perEnvironment,
            startAt,
          }),
        ),
      );
      const started = Math.min(...results.map((r) => r.startedAt));
      const ended = Math.max(...results.map((r) => r.endedAt));
      runsMs.push(ended - started);
      succeeded = Math.min(
        succeeded,
        results.reduce((sum, r) => sum + r.succeeded, 0),
      );
      for (const r of results) {
        for (let k = 1; k < r.sent.length; k += 1) {
          gapsOverMs.push(
            (r.sent[k] as number) - (r.sent[k - 1] as number) - Math.max(1000 / ratePerSecond, LATENCY_MS),
          );
        }
      }
    } finally {
      await stopSimulatorProcess(sim);
    }
  }
  const ms = median(runsMs);
  const devicesPerSec = (devices / ms) * 1000;
  return {
    stage: worker.stage,
    environments,
    environmentsShipped: worker.environments,
    batchSize: worker.batchSize,
    chunkSize: worker.chunkSize,
    bulkLimit: worker.bulkLimit,
    ratePerSecond: round(ratePerSecond, 3),
    knoxRateLimitPerSecond: worker.knoxRateLimitPerSecond,
    plannedLatencyMs: worker.plannedLatencyMs,
    latencyMs: LATENCY_MS,
    devices,
    succeeded,
    ms: round(ms),
    idealMs: round(idealMs),
    devicesPerSec: Math.round(devicesPerSec),
    boundDevicesPerSec: Math.round(boundDevicesPerSec),
    // What binds: the environments' rate limit, or the latency (one request in flight each).
    binding: 1000 / ratePerSecond > LATENCY_MS ? 'rate-limit' : 'latency',
    ratio: round(devicesPerSec / boundDevicesPerSec, 3),
    runsMs: runsMs.map((value) => round(value)),
    ratioRange: [Math.max(...runsMs), Math.min(...runsMs)].map((value) => round(idealMs / value, 3)),
    requestGapOverBoundMs:
      gapsOverMs.length === 0
        ? undefined
        : {
            median: round(median(gapsOverMs)),
            p90: round(quantile(gapsOverMs, 0.9)),
            max: round(Math.max(...gapsOverMs)),
          },
  };
}

/**
 * The worker's rate had the stage set KNOX_LATENCY_MS to this Knox Guard's latency (100 ms): the
 * plan then spaces one environment's requests by the latency itself, so nothing but the client's
 * own work between an answer and the next send separates it from the bound.
 */
function latencyPlannedRate(worker: ShippedWorker): number {
  return planCapacity({
    rateLimitPerSecond: worker.knoxRateLimitPerSecond,
    bulkLimit: worker.bulkLimit,
    latencyMs: LATENCY_MS,
  }).workerRatePerSecond;
}

/**
 * The per-device fallback (issue 11: an `...Async` path answering 404 runs the operation one sync
 * call per device at the client's configured rate) with the shipped worker's rate and client
 * settings, against the simulator with the async paths disabled, at 100 ms latency. The bound:
 * the refused submit and the per-device calls, spaced by the rate limit (or by latency over the
 * client's concurrency, whichever is slower), the last one answered after one latency.
 */
async function fallbackThroughput(worker: ShippedWorker) {
  type FallbackResult = {
    ms: number;
    succeeded: number;
    bulkPathUnavailable?: string;
    requests: number;
    sentMs: number[];
  };
  log(
    `fallback: ${FALLBACK_DEVICES} devices per device at the shipped worker rate (${round(worker.ratePerSecond, 2)}/s), async paths disabled, ${LATENCY_MS} ms latency`,
  );
  const sim = await startSimulatorProcess({
    seed: { devices: FALLBACK_DEVICES, mix: { Enrolled: 100 }, simControlRatio: 0 },
    latencyMs: LATENCY_MS,
    asyncDisabled: true,
  });
  try {
    const result = await clientJob<FallbackResult>(sim, 'fallback', FALLBACK_DEVICES, [], {
      bulkLimit: worker.bulkLimit,
      ratePerSecond: worker.ratePerSecond,
    });
    if (result.bulkPathUnavailable === undefined || result.succeeded !== FALLBACK_DEVICES) {
      throw new Error(`fallback: the job did not run per device (${JSON.stringify(result)})`);
    }
    const spacingMs = Math.max(1000 / worker.ratePerSecond, LATENCY_MS / CLIENT_DEFAULTS.concurrency);
    const idealMs = (result.requests - 1) * spacingMs + LATENCY_MS;
    const first = result.sentMs[0] as number;
    const last = result.sentMs.at(-1) as number;
    const achievedPerSecond = ((result.requests - 1) / (last - first)) * 1000;
    return {
      devices: FALLBACK_DEVICES,
      requests: result.requests,
      configuredRatePerSecond: round(worker.ratePerSecond, 3),
      achievedRatePerSecond: round(achievedPerSecond, 3),
      ms: round(result.ms),
      idealMs: round(idealMs),
      // Devices per second against what the configured rate allows.
      ratio: round(idealMs / result.ms, 3),
      rateRatio: round(achievedPerSecond / worker.ratePerSecond, 3),
      reason: result.bulkPathUnavailable,
    };
  } finally {
    await stopSimulatorProcess(sim);
  }
}

async function memory() {
  log(
    `memory: a Knox-filter job over ${MEMORY_DEVICES.toLocaleString('en')} devices (client in its own process)`,
  );
  const sim = await startSimulatorProcess({ seed: { devices: MEMORY_DEVICES } });
  type MemoryResult = {
    ms: number;
    targets: number;
    messages: number;
    devices: number;
    rssBeforeMb: number;
    peakRssMb: number;
  };
  try {
    // As a 128 MB Lambda function runs it (the target), and with this machine's default heap
    // sizing for comparison; the job must finish either way with every device accounted for.
    const lambda128 = await clientJob<MemoryResult>(sim, 'memory', MEMORY_DEVICES, LAMBDA_128MB_HEAP);
    const defaultHeap = await clientJob<MemoryResult>(sim, 'memory', MEMORY_DEVICES);
    return { ...lambda128, nodeArgs: LAMBDA_128MB_HEAP, defaultHeapPeakRssMb: round(defaultHeap.peakRssMb) };
  } finally {
    await stopSimulatorProcess(sim);
  }
}

// ---------------------------------------------------------------------------------------------
const BODY_CODES: readonly KnoxCodeName[] = [
  'LICENSE_IS_LACK',
  'USER_BLOCKED_STATE',
  'PRECONDITION_FAILED_EXCEPTION',
  'DEVICE_STATE_INVALID',
  'DEVICE_BULK_OPERATION_LIMIT_EXCEEDED',
  'LICENSE_INTERNAL_SERVER_FAILED',
  'DEVICE_NOT_FOUND',
  'AUTHORIZATION_FAIL',
];

async function decodeRate() {
  log('decode: error bodies per second (tinybench)');
  const responses = BODY_CODES.map((name, index) => {
    const entry = knoxCode(name);
    const code = index % 2 === 0 ? Number(entry.code) : entry.code; // Knox sends both
    return {
      status: entry.httpStatus,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify({
        result: 'FAIL',
        error: { code, message: entry.codeName, reason: `Current status is 'Enrolled'.` },
      }),
    };
  });
  const perIteration = 1_000;
  const bench = new Bench({ time: 1_000, warmup: true });
  let failures = 0;
  bench.add('decode x1000', () => {
    for (let i = 0; i < perIteration; i += 1) {
      if (!decode(responses[i % responses.length] as (typeof responses)[number]).ok) failures += 1;
    }
  });
  await bench.run();
  const result = bench.tasks[0]?.result as { period?: number } | undefined;
  if (!result?.period || failures === 0) throw new Error('decode benchmark did not run');
  return { perSec: Math.round((perIteration * 1000) / result.period) };
}

const ALERT_CODES: readonly KnoxCodeName[] = [
  'LICENSE_IS_LACK',
  'LICENSE_MAX_COUNT_REACHED',
  'PRECONDITION_FAILED_EXCEPTION',
  'USER_BLOCKED_STATE',
  'USER_PENDING_STATE',
  'USER_REJECTED_STATE',
  'USER_IN_INVALID_STATE',
  'USER_NOT_FOUND',
  'API_KEY_RESTRICTION_INVALID',
  'API_KEY_RESTRICTION_NOT_FOUND',
];

async function alerts() {
  log('alerts: 100,000 failures across 10 codes through the pipeline (local DynamoDB + SNS)');
  const env = await startEmbeddedStack({ build: false, simulator: { seed: 'empty' } });
  const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
  const sns = new SNSClient(env.aws.clientConfig('sns'));
  const calls: Record<string, number> = {};
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      calls[context.commandName ?? 'unknown'] = (calls[context.commandName ?? 'unknown'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
  try {
    const pipeline = createAlertPipeline({
      rules: loadAlertRules({}),
      store: createDynamoAlertStateStore({ client: dynamo, tableName: env.stack.tableName }),
      publisher: createSnsAlertPublisher({ client: sns, topicArn: env.stack.topicArn }),
      clock: { now: () => Date.now() },
    });
    const errors = ALERT_CODES.map((name) => {
      const entry = knoxCode(name);
      return { ...entry, receivedStatus: entry.httpStatus, reason: entry.description, known: true };
    });
    const chunks = 100;
    const perChunk = 1_000;
    const groups = new Set<string>();
    let published = 0;
    const started = performance.now();
    // 100 chunks of one run, four workers at a time, as the operation workers deliver them.
    const next = { chunk: 0 };
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let chunk = next.chunk++; chunk < chunks; chunk = next.chunk++) {
          const report = await pipeline.process({
            stage: env.stack.stage,
            job: 'bench-alerts',
            runId: 'bench-alerts@1',
            operation: 'lock',
            successes: 0,
            failures: Array.from({ length: perChunk }, (_, i) => ({
              deviceId: generatedDeviceUid(chunk * perChunk + i),
              error: errors[i % errors.length] as (typeof errors)[number],
            })),
          });
          for (const group of report.groups) groups.add(group.codeName);
          published += report.published;
        }
      }),
    );
    const ms = performance.now() - started;
    const snsCalls = Object.entries(calls)
      .filter(([name]) => name.startsWith('Publish'))
      .reduce((sum, [, count]) => sum + count, 0);
    return { failures: chunks * perChunk, ms: round(ms), groups: groups.size, published, snsCalls, calls };
  } finally {
    dynamo.destroy();
    sns.destroy();
    await env.close();
  }
}

// ---------------------------------------------------------------------------------------------
const CALLBACK_ACK_RUNS = 5;

/**
 * How long the packaged webhook takes to answer a signed 1,000-event Knox callback (verify, admit,
 * queue on the local SQS): its events are processed later by knoxEvents (docs/knox-callbacks.md).
 */
async function callbackAck() {
  log(`callback ack: a signed 1,000-event Knox callback, ${CALLBACK_ACK_RUNS} runs (local SQS + DynamoDB)`);
  const env = await startEmbeddedStack({ build: false, simulator: { seed: 'empty' }, logLevel: 'ERROR' });
  try {
    const runs: number[] = [];
    for (let run = 0; run < CALLBACK_ACK_RUNS; run += 1) {
      const body = JSON.stringify({
        events: Array.from({ length: 1000 }, (_, i) => ({
          subscriptionId: 'bench',
          event: 'KG_DEVICE_LOCKED',
          payload: {
            deviceUid: generatedDeviceUid(run * 1000 + i),
            deviceStatus: 'Locked',
            lastUpdatedAt: Date.now(),
            tenantDomain: 'bench.example.com',
          },
        })),
      });
      const headers = knoxCallbackHeaders(body, env.callbackSigningKeyPem);
      const started = performance.now();
      const answer = await env.http('/knox/notifications', body, headers, { drainKnoxEvents: false });
      runs.push(performance.now() - started);
      if (answer.statusCode !== 200) throw new Error(`callback ack: ${answer.statusCode} ${answer.body}`);
    }
    const sorted = [...runs].sort((a, b) => a - b);
    return {
      medianMs: round(sorted[Math.floor(sorted.length / 2)] as number),
      runsMs: runs.map((ms) => round(ms)),
    };
  } finally {
    await env.close();
  }
}

/** `--only`: the chosen sections, written to .tmp/bench/partial.json (latest.json holds full runs only). */
async function partial(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  const bundle = await bundles(); // the cold starts load these bundles
  if (runs('bundles')) results.bundles = bundle;
  if (runs('cold-starts') || runs('throughput') || runs('fallback')) await buildBenchArtifacts();
  if (runs('cold-starts')) {
    const cold = await coldStarts();
    const largest = Math.max(...Object.values(cold.functions).map((f) => f.overheadMedianMs));
    results.coldStartOverheadRatioToSdk = round(largest / cold.sdkReference.overheadMedianMs, 2);
    results.coldStart = cold;
  }
  const worker = await shippedWorker(args.stage);
  if (runs('throughput')) {
    results.throughput = {
      shipped: await shippedThroughput(worker),
      latencyPlanned: await shippedThroughput(worker, latencyPlannedRate(worker)),
      clientDefaults: await throughput(),
    };
  }
  if (runs('fallback')) results.fallback = await fallbackThroughput(worker);
  if (runs('memory')) results.memory = await memory();
  if (runs('decode')) results.decode = await decodeRate();
  if (runs('alerts')) results.alerts = await alerts();
  if (runs('callback-ack')) results.callbackAck = await callbackAck();
  await mkdir(WORK, { recursive: true });
  await writeFile(join(WORK, 'partial.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

async function main(): Promise<void> {
  if (args.only !== undefined) return partial();
  const started = Date.now();
  const bundle = await bundles();
  const referenceBytes = await buildBenchArtifacts();
  const cold = await coldStarts();
  const worker = await shippedWorker(args.stage);
  const shipped = await shippedThroughput(worker);
  const latencyPlanned = await shippedThroughput(worker, latencyPlannedRate(worker));
  const through = await throughput();
  const fallback = await fallbackThroughput(worker);
  const mem = await memory();
  const dec = await decodeRate();
  const alert = await alerts();
  const ack = await callbackAck();

  const overheads = Object.values(cold.functions).map((f) => f.overheadMedianMs);
  // Issue 15's cold-start target is relative: each function's overhead over the empty-handler floor
  // against the one-DynamoDB-client reference measured in the same run, so machine speed cancels out.
  const overheadRatioToSdk = round(Math.max(...overheads) / cold.sdkReference.overheadMedianMs, 2);
  const duplicatePackages = new Set(bundle.flatMap((b) => b.duplicates.map((d) => d.name)));
  const results = {
    bundleDuplicatePackages: duplicatePackages.size,
    coldStartOverheadRatioToSdk: overheadRatioToSdk,
    bundleBytesMax: Math.max(...bundle.map((b) => b.bytes)),
    coldStartOverheadMsMedian: Math.max(...overheads),
    throughputRatio100ms: shipped.ratio,
    fallbackThroughputRatio: fallback.ratio,
    cpuMsPer1kDevices: through.cpuMsPer1kDevices,
    peakRssMb1M: round(mem.peakRssMb),
    decodePerSec: dec.perSec,
    alertSnsCalls: alert.snsCalls,
    alertGroups: alert.groups,
    callbackAck1000Ms: ack.medianMs,
    node: process.version,
    date: new Date().toISOString(),
    detail: {
      machine: {
        cpus: (await import('node:os')).cpus().length,
        platform: process.platform,
        arch: process.arch,
      },
      bundles: Object.fromEntries(
        bundle.map((b) => [
          b.name,
          { bytes: b.bytes, gzipBytes: b.gzipBytes, byOrigin: b.byOrigin, duplicatePackages: b.duplicates },
        ]),
      ),
      coldStart: cold,
      referenceBundleBytes: referenceBytes,
      throughput: { shipped, latencyPlanned, clientDefaults: through },
      fallback,
      memory: { ...mem, peakRssMb: round(mem.peakRssMb), rssBeforeMb: round(mem.rssBeforeMb) },
      decode: dec,
      alerts: alert,
      callbackAck: ack,
      benchSeconds: Math.round((Date.now() - started) / 1000),
    },
  };
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const rows: [string, string, string][] = [
    ...bundle.map((b): [string, string, string] => [
      `bundle ${b.name}`,
      `${kb(b.bytes)} (gzip ${kb(b.gzipBytes)}; AWS SDK ${kb(b.byOrigin.awsSdk)}, Powertools ${kb(b.byOrigin.powertools)}, other libraries ${kb(b.byOrigin.otherLibraries)}, ours ${kb(b.byOrigin.own)})`,
      '',
    ]),
    [
      'packages bundled twice',
      duplicatePackages.size === 0 ? '0' : `${duplicatePackages.size}: ${[...duplicatePackages].join(', ')}`,
      '0',
    ],
    [`cold start floor (empty handler)`, `median ${cold.floor.medianMs} ms, p90 ${cold.floor.p90Ms} ms`, ''],
    [
      'cold start reference: SDK only',
      `median ${cold.sdkReference.medianMs} ms (+${cold.sdkReference.overheadMedianMs}; import ${cold.sdkReference.importMedianMs}): one DynamoDB client, one GetItem (${kb(referenceBytes['sdk-reference'] ?? 0)})`,
      '',
    ],
    [
      'cold start reference: signed call',
      `median ${cold.signedReference.medianMs} ms (+${cold.signedReference.overheadMedianMs}; import ${cold.signedReference.importMedianMs}): the same GetItem, SigV4-signed, no client (${kb(referenceBytes['signed-reference'] ?? 0)})`,
      '',
    ],
    ...Object.entries(cold.functions).map(([name, f]): [string, string, string] => [
      `cold start ${name}`,
      `median ${f.medianMs} ms (+${f.overheadMedianMs}, x${f.ratioMedian}; import ${f.importMedianMs}), p90 ${f.p90Ms} ms (+${f.overheadP90Ms})`,
      '',
    ]),
    [
      'cold-start overhead / SDK reference',
      `${overheadRatioToSdk} (largest function overhead ${Math.max(...overheads)} ms / reference ${cold.sdkReference.overheadMedianMs} ms)`,
      '<= 1.5',
    ],
    [
      'throughput, 0 ms latency',
      `${through.latency0.devicesPerSec.toLocaleString('en')} devices/s (median of ${THROUGHPUT_RUNS} runs)`,
      '',
    ],
    [
      `throughput as shipped (${shipped.stage}), 100 ms`,
      `${shipped.devicesPerSec.toLocaleString('en')} devices/s = ${(shipped.ratio * 100).toFixed(1)}% of ${shipped.boundDevicesPerSec.toLocaleString('en')} (${shipped.environments} environments x ${shipped.chunkSize.toLocaleString('en')}-device chunks at ${shipped.ratePerSecond}/s each, ${shipped.binding} binds; median of ${THROUGHPUT_RUNS} runs, ${shipped.ratioRange.map((r) => `${(r * 100).toFixed(1)}%`).join(' to ')})`,
      '>= 90% of bound',
    ],
    [
      'per-device fallback, 100 ms',
      `${(fallback.ratio * 100).toFixed(1)}% of what ${fallback.configuredRatePerSecond}/s allows (${fallback.devices} devices, ${fallback.requests} requests in ${fallback.ms} ms, bound ${fallback.idealMs} ms; sent at ${fallback.achievedRatePerSecond}/s)`,
      '>= 90%',
    ],
    [
      'throughput, client defaults, 100 ms',
      `${through.latency100.devicesPerSec.toLocaleString('en')} devices/s = ${(through.latency100.ratio * 100).toFixed(1)}% of ${through.latency100.boundDevicesPerSec.toLocaleString('en')} (median of ${THROUGHPUT_RUNS} runs, ${through.latency100.ratioRange.map((r) => `${(r * 100).toFixed(1)}%`).join(' to ')}; ${through.latency100.roundTrips} round trips reach the bound)`,
      '',
    ],
    ['client CPU', `${through.cpuMsPer1kDevices} ms / 1,000 devices`, '<= 20 ms'],
    [
      'peak RSS, 1M-device list job',
      `${round(mem.peakRssMb)} MB (${mem.targets.toLocaleString('en')} targets, ${mem.messages} messages)`,
      '<= 128 MB',
    ],
    ['decode', `${dec.perSec.toLocaleString('en')} bodies/s`, '>= 200,000/s'],
    [
      'alerts, 100k failures / 10 codes',
      `${alert.ms} ms, ${alert.groups} groups, ${alert.published} messages, ${alert.snsCalls} SNS call(s)`,
      'calls = ceil(groups / 10)',
    ],
    [
      'Knox callback ack, 1,000 events',
      `median ${ack.medianMs} ms (${ack.runsMs.join(', ')} ms; the first cold), queued for knoxEvents`,
      'webhook timeout 10 s',
    ],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log(`\nknox-guard-sentinel bench (${process.version}, ${results.date})`);
  for (const [name, value, target] of rows)
    console.log(`${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${target}`);
  console.log(`\nwrote bench/results/latest.json in ${results.detail.benchSeconds} s`);
}

await main();
