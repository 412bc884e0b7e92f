import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';

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
  /**
   * A directory where dynalite keeps its tables (LevelDB), so they outlive the process: how
   * `npm start` and the admin CLI share the local alert state (default: in memory). One process at
   * a time: a second one gets a `LocalStateBusyError` (see `lockStateDir`).
   */
  readonly dynamodbPath?: string;
  /**
   * `true`: start dynalite only (the admin CLI needs no SNS, SQS or S3); `clientConfig` then refuses
   * those services. fauxqs is only loaded when it is started.
   */
  readonly dynamodbOnly?: boolean;
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
  const fauxqs = options.dynamodbOnly
    ? { listen: async () => '', close: async () => undefined }
    : (await import('fauxqs')).buildApp({ logger: false, defaultRegion: region });
  const fauxqsAddress = await fauxqs.listen({ port: options.fauxqsPort ?? 0, host: HOST });

  let unlock: (() => void) | undefined;
  try {
    if (options.dynamodbPath !== undefined) unlock = lockStateDir(options.dynamodbPath);
  } catch (error) {
    await fauxqs.close();
    throw error;
  }
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dynamodbPath === undefined ? {} : { path: join(options.dynamodbPath, 'dynamodb') }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject);
      dynamo.listen(options.dynamodbPort ?? 0, HOST, () => resolve());
    });
  } catch (error) {
    unlock?.();
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
      if (endpoints[service] === '') throw new Error(`the local ${service} server was not started`);
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
      ]).then(() => unlock?.());
      return closing;
    },
  };
}

/**
 * The local state directory is in use by another live process (`npm start`, the admin CLI):
 * LevelDB allows one process at a time, and dynalite would crash on the second.
 */
export class LocalStateBusyError extends Error {
  readonly pid: number;
  constructor(dir: string, pid: number, options?: { cause?: unknown }) {
    super(
      `the local state in ${dir} is in use by process ${pid} (a running \`npm start\` or admin CLI); try again when it ends`,
      options,
    );
    this.name = 'LocalStateBusyError';
    this.pid = pid;
  }
}

/**
 * Takes the state directory for this process with an `owner.pid` file created exclusively; a file
 * left by a process that is gone is taken over. Answers the release function.
 *
 * @throws LocalStateBusyError when a live process holds it.
 * @example
 * const unlock = lockStateDir('.tmp/local-state'); // ... unlock();
 */
export function lockStateDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'owner.pid');
  for (let round = 0; round < 2; round += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new LocalStateBusyError(dir, pid);
      }
      rmSync(file, { force: true });
    }
  }
  throw new LocalStateBusyError(dir, 0);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
