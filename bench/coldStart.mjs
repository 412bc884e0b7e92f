// One cold start, as Lambda's runtime does it: a fresh Node process imports the bundle, then runs
// its first invocation. Prints {"ms": <time since process start>, "ok": <bool>} on stdout. Plain
// JavaScript so the measurement contains no TypeScript loader. Usage:
//   node bench/coldStart.mjs <bundle.mjs> <event.json> <functionName>
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, functionName] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const started = Date.now();
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => Math.max(0, 60_000 - (Date.now() - started)),
  done() {},
  fail() {},
  succeed() {},
};
const importStarted = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - importStarted;
let ok = true;
let detail;
try {
  const result = await handler(event, context);
  // A 4xx/5xx answer or reported batch failures mean the invocation did not do its work.
  if (result && typeof result === 'object') {
    if ('statusCode' in result && result.statusCode >= 400) ok = false;
    if (Array.isArray(result.batchItemFailures) && result.batchItemFailures.length > 0) ok = false;
  }
  detail = result && typeof result === 'object' && 'statusCode' in result ? result.statusCode : undefined;
} catch (error) {
  ok = false;
  detail = String(error);
}
process.stdout.write(`${JSON.stringify({ ms: performance.now(), importMs, ok, detail })}\n`);
// Lambda freezes the environment after the invocation; open sockets must not keep this process alive.
process.exit(0);
