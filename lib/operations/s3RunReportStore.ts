import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { renderRunReportCsv } from './renderRunReportCsv';
import type { RunReportStore } from './runReport';

/**
 * A `RunReportStore` putting each chunk's rows as one CSV object (`renderRunReportCsv`) into one S3 bucket. The bucket's default encryption
 * (SSE-KMS with the stack's key, infra/run-reports-bucket.yml) applies; nothing is set per object,
 * so the writer's role needs only `s3:PutObject` on `reports/*` and `kms:GenerateDataKey`.
 *
 * @example
 * const store = createS3RunReportStore({ client: new S3Client({}), bucket: process.env.RUN_REPORTS_BUCKET! });
 * await store.put('reports/overdue-lock/r1/chunk-00000.csv', rows);
 */
export function createS3RunReportStore(options: {
  readonly client: S3Client;
  readonly bucket: string;
}): RunReportStore {
  return {
    async put(key, rows) {
      await options.client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: renderRunReportCsv(rows),
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    },
  };
}
