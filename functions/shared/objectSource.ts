import type { ObjectSource } from '../../lib/operations';
import { onceAsync } from './once';
import { serviceConfig } from './runtime';

// Only functions/scheduled-run.ts imports this module: the S3 client's chunk (the largest SDK
// client, loaded on the first file opened) then ships with the scheduler alone.

// Loads the S3 object source on the first file opened.
const loadObjectSource = onceAsync(async (): Promise<ObjectSource> => {
  const { s3Source } = await import('./lazy/s3Source');
  return s3Source(serviceConfig().TARGETS_BUCKET as string);
});

/**
 * Billing-system target files in the targets bucket (undefined without TARGETS_BUCKET); the S3
 * client loads when the first file is opened.
 */
export function objectSource(): ObjectSource | undefined {
  const bucket = serviceConfig().TARGETS_BUCKET;
  if (!bucket) return undefined;
  return { open: async (key) => (await loadObjectSource()).open(key) };
}
