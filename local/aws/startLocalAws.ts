import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';

/** The AWS services the local servers speak. */
export type LocalService = 'sns' | 'sqs' | 's3' | 'dynamodb';

/** What a real SDK v3 client needs to talk to a local server: `new SNSClient(local.clientConfig('sns'))`. */
export interface LocalClientConfig {
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** S3 only: buckets in the path, since `bucket.127.0.0.1` does not resolve. */
  readonly forcePathStyle?: boolean;
}

export interface LocalAws {
  readonly region: string;
  readonly endpoints: {
    readonly sns: string;
    readonly sqs: string;
    readonly s3: string;
    readonly dynamodb: string;
  };
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  clientConfig(service: LocalService): LocalClientConfig;
  /** Stops both servers; safe to call twice. */
  close(): Promise<void>;
}

export interface LocalAwsOptions {
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Fixed ports (default 0: free ports chosen by the OS). */
  readonly fauxqsPort?: number;
  readonly dynamodbPort?: number;
}

const HOST = '127.0.0.1';
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Starts real servers that speak the AWS APIs on 127.0.0.1, in-process, no account and no Docker:
 * fauxqs for SNS, SQS and S3 (one endpoint) and dynalite for DynamoDB (in memory). fauxqs's own
 * `startFauxqs` listens on 0.0.0.0, so its `buildApp` is bound to 127.0.0.1 here instead.
 *
 * @example
 * const local = await startLocalAws();
 * const sns = new SNSClient(local.clientConfig('sns'));
 * // ...
 * await local.close();
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const fauxqs = buildApp({ logger: false, defaultRegion: region });
  const fauxqsAddress = await fauxqs.listen({ port: options.fauxqsPort ?? 0, host: HOST });

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject);
      dynamo.listen(options.dynamodbPort ?? 0, HOST, () => resolve());
    });
  } catch (error) {
    await fauxqs.close();
    throw error;
  }
  const dynamoAddress = `http://${HOST}:${(dynamo.address() as AddressInfo).port}`;

  const endpoints = { sns: fauxqsAddress, sqs: fauxqsAddress, s3: fauxqsAddress, dynamodb: dynamoAddress };
  let closing: Promise<void> | undefined;
  return {
    region,
    endpoints,
    credentials: DUMMY_CREDENTIALS,
    clientConfig(service) {
      return {
        region,
        endpoint: endpoints[service],
        credentials: DUMMY_CREDENTIALS,
        ...(service === 's3' ? { forcePathStyle: true } : {}),
      };
    },
    close() {
      closing ??= Promise.all([
        fauxqs.close(),
        new Promise<void>((resolve) => {
          dynamo.closeAllConnections?.();
          dynamo.close(() => resolve());
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}
