// A Knox Guard simulator for manual use: `npx tsx local/simulator/cli.ts --port 8080 [--devices 300]
// [--rate 50] [--latency 20] [--bulk-limit 10000] [--api-prefix /kcs/v1.1/kg-integration]
// [--transaction-polls 3] [--transaction-id-in-answer] [--status-field] [--async-disabled] [--unverified-paths]`. Writes the certificate.json of the seeded API key to
// .tmp/ and prints how to point the client at it. Stop it with Ctrl+C.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseScriptArgs } from '../../scripts/parseScriptArgs';
import { startKnoxSimulator } from './startKnoxSimulator';

const USAGE =
  'usage: npx tsx local/simulator/cli.ts [--port <0-65535>] [--host <address>] [--devices <n>] [--rate <n>] [--latency <ms>] [--bulk-limit <n>] [--api-prefix <path>] [--transaction-polls <n>] [--transaction-id-in-answer] [--status-field] [--async-disabled] [--unverified-paths]';

// strict: an unknown flag is a usage error (exit 2), not a stack trace or a silently ignored typo.
const values = parseScriptArgs(
  {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    devices: { type: 'string', default: '300' },
    rate: { type: 'string' },
    latency: { type: 'string' },
    'bulk-limit': { type: 'string' },
    'api-prefix': { type: 'string' },
    'transaction-polls': { type: 'string' },
    'transaction-id-in-answer': { type: 'boolean', default: false },
    'status-field': { type: 'boolean', default: false },
    'async-disabled': { type: 'boolean', default: false },
    'unverified-paths': { type: 'boolean', default: false },
  },
  USAGE,
);

// Each number flag is a whole number in its range, or one line and exit 2: `Number('abc')` would
// start a tenant of "NaN devices" or fail inside `listen` with a stack trace.
function whole(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  process.stderr.write(
    `--${flag} ${JSON.stringify(text)}: expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}\n${USAGE}\n`,
  );
  process.exit(2);
}
const port = whole('port', values.port, 0, 65_535) ?? 8080;
const devices = whole('devices', values.devices, 0) ?? 300;
const rate = whole('rate', values.rate, 1);
const latency = whole('latency', values.latency, 0);
const bulkLimit = whole('bulk-limit', values['bulk-limit'], 1);
const transactionPolls = whole('transaction-polls', values['transaction-polls'], 0);
let sim: Awaited<ReturnType<typeof startKnoxSimulator>>;
try {
  sim = await startKnoxSimulator({
    port,
    host: values.host,
    seed: { devices },
    ...(rate === undefined ? {} : { rateLimitPerSecond: rate }),
    ...(latency === undefined ? {} : { latencyMs: latency }),
    ...(bulkLimit === undefined ? {} : { bulkLimit }),
    ...(values['api-prefix'] === undefined ? {} : { apiPrefix: values['api-prefix'] }),
    ...(transactionPolls === undefined ? {} : { transactionPolls }),
    transactionIdInAnswer: values['transaction-id-in-answer'],
    statusField: values['status-field'],
    asyncDisabled: values['async-disabled'],
    unverifiedPaths: values['unverified-paths'],
  });
} catch (error) {
  // A port in use (EADDRINUSE) or a host that is not this machine's (EADDRNOTAVAIL): one line, exit 1.
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !code.startsWith('E')) throw error;
  process.stderr.write(
    `Knox Guard simulator: cannot listen on ${values.host}:${port}: ${(error as Error).message}\n`,
  );
  process.exit(1);
}
const certificatePath = resolve('.tmp/knox-simulator/certificate.json');
await mkdir(resolve('.tmp/knox-simulator'), { recursive: true });
await writeFile(certificatePath, `${JSON.stringify(sim.certificate, null, 2)}\n`, { mode: 0o600 });

console.log(`Knox Guard simulator listening on ${sim.url}`);
console.log(`  client identifier: ${sim.clientIdentifier}`);
console.log(`  certificate.json:  ${certificatePath}`);
console.log(`  tenant:            ${sim.state.tenant.name}, ${sim.state.devices.size} devices`);
console.log('Press Ctrl+C to stop.');

const stop = (): void => {
  sim.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
