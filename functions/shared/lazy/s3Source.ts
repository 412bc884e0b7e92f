import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectSource } from '../../../lib/operations';
import { createS3ObjectSource } from '../../../lib/operations/s3ObjectSource';
import { AWS_CLIENT_CONFIG, boundByInvocation } from '../awsClientConfig';

// Loaded with `await import(...)` by functions/shared/objectSource.ts when the first target file is
// opened: the S3 client (the largest SDK client) is parsed only by runs whose targets are files.

/**
 * Target files in an S3 bucket.
 *
 * @example
 * const file = await s3Source('acme-targets').open('overdue/2026-11-25.csv');
 */
export function s3Source(bucket: string): ObjectSource {
  // Path-style addressing only for a local endpoint (fauxqs); AWS uses virtual-hosted style.
  const client = boundByInvocation(
    new S3Client({ ...AWS_CLIENT_CONFIG, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }),
  );
  return createS3ObjectSource({ client, bucket });
}
