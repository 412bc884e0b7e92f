// A Knox Guard simulator for manual use: `npx tsx local/simulator/cli.ts --port 8080 [--devices 300]
// [--rate 50] [--latency 20] [--bulk-limit 10000] [--api-prefix /kcs/v1.1/kg-integration]
// [--transaction-polls 3] [--transaction-id-in-answer] [--status-field] [--async-disabled] [--unverified-paths]`. Writes the certificate.json of the seeded API key to
// .tmp/ and prints how to point the client at it. Stop it with Ctrl+C.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKnoxSimulator } from './startKnoxSimulator';

const { values } = parseArgs({
  options: {
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
});

const number = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);
const rate = number(values.rate);
const latency = number(values.latency);
const bulkLimit = number(values['bulk-limit']);
const transactionPolls = number(values['transaction-polls']);
const sim = await startKnoxSimulator({
  port: Number(values.port),
  host: values.host,
  seed: { devices: Number(values.devices) },
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
