// The second cold-start reference (see bench/sdkReferenceHandler.ts for the first): the same
// DynamoDB GetItem without the SDK client. The request is signed with the SDK's own SigV4 signer
// (@smithy/signature-v4, hashing with node:crypto) and sent with the transport the Knox Guard
// client uses (lib/knox/nodeHttpTransport.ts: node:http(s), keep-alive, a timeout). Not a function
// we deploy: it shows what replacing the DynamoDB, SQS and Secrets Manager clients with signed
// calls would save, the one way left to the bundle and cold-start targets (docs/performance.md).
// It has no retries and no error types: what the real clients add besides.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { nodeHttpTransport } from '../lib/knox/nodeHttpTransport';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

const endpoint = new URL(
  process.env.AWS_ENDPOINT_URL_DYNAMODB ??
    process.env.AWS_ENDPOINT_URL ??
    `https://dynamodb.${process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`,
);
const transport = nodeHttpTransport();
const signer = new SignatureV4({
  service: 'dynamodb',
  region: process.env.AWS_REGION ?? 'us-east-1',
  sha256: NodeSha256,
  credentials: async () => ({
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
    ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
  }),
});

export const handler = async (): Promise<{ found: boolean }> => {
  const table = process.env.STATE_TABLE;
  if (!table) throw new Error('STATE_TABLE is not set: run the reference against the embedded stack');
  const body = JSON.stringify({ TableName: table, Key: { pk: { S: 'bench#sdk-reference' } } });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: '/',
    query: {},
    headers: {
      host: endpoint.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
    },
    body,
  });
  const answer = await transport.send({
    method: 'POST',
    url: new URL('/', endpoint).href,
    headers: signed.headers,
    body,
    timeoutMs: 5_000,
  });
  if (answer.status !== 200) throw new Error(`GetItem answered ${answer.status}: ${answer.body}`);
  return { found: (JSON.parse(answer.body) as { Item?: unknown }).Item !== undefined };
};
