import { S3Client } from '@aws-sdk/client-s3';
import type { RunReportStore } from '../../../lib/operations';
import { createS3RunReportStore } from '../../../lib/operations/s3RunReportStore';
import { AWS_CLIENT_CONFIG, boundByInvocation } from '../awsClientConfig';

// Loaded with `await import(...)` by functions/shared/runReports.ts when the first chunk with
// failed devices is reported: runs where every device succeeds never parse the S3 client.

/**
 * Run reports written to an S3 bucket.
 *
 * @example
 * await s3RunReportStore('acme-run-reports').put('reports/overdue-lock/r1/chunk-00000.csv', csv);
 */
export function s3RunReportStore(bucket: string): RunReportStore {
  // Path-style addressing only for a local endpoint (fauxqs); AWS uses virtual-hosted style.
  const client = boundByInvocation(
    new S3Client({ ...AWS_CLIENT_CONFIG, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }),
  );
  return createS3RunReportStore({ client, bucket });
}
