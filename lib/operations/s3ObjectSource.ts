import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectSource } from './ports';

/**
 * An `ObjectSource` reading target lists from one S3 bucket; the body is streamed, so a large
 * CSV is never held in memory as a whole.
 *
 * @example
 * const objects = createS3ObjectSource({ client: new S3Client({}), bucket: process.env.TARGETS_BUCKET! });
 */
export function createS3ObjectSource(options: {
  readonly client: S3Client;
  readonly bucket: string;
}): ObjectSource {
  return {
    async open(key: string) {
      const answer = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
      const body = answer.Body as AsyncIterable<Uint8Array> | undefined;
      if (
        !body ||
        typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
      ) {
        throw new Error(`S3 object ${key} has no readable body`);
      }
      return body;
    },
  };
}
