import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RunReportStore } from './runReport';

/**
 * A `RunReportStore` putting CSV objects into one S3 bucket. The bucket's default encryption
 * (SSE-KMS with the stack's key, infra/run-reports-bucket.yml) applies; nothing is set per object,
 * so the writer's role needs only `s3:PutObject` on `reports/*` and `kms:GenerateDataKey`.
 *
 * @example
 * const store = createS3RunReportStore({ client: new S3Client({}), bucket: process.env.RUN_REPORTS_BUCKET! });
 * await store.put('reports/overdue-lock/r1/chunk-00000.csv', csv);
 */
export function createS3RunReportStore(options: {
  readonly client: S3Client;
  readonly bucket: string;
}): RunReportStore {
  return {
    async put(key, body) {
      await options.client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: body,
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    },
  };
}
