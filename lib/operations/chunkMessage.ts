// zod/mini: its functions tree-shake where classic zod's methods kept ~99 KB in every bundle;
// lib/validation gives it classic zod's English messages.
import * as z from 'zod/mini';
import { DEVICE_OPERATIONS } from '../knox';
import '../validation';

/** Version of the chunk message body; bump when the shape changes so old messages are recognised. */
export const CHUNK_MESSAGE_VERSION = 1;

const schema = z.strictObject({
  v: z.literal(CHUNK_MESSAGE_VERSION),
  stage: z.string().check(z.minLength(1)),
  job: z.string().check(z.minLength(1)),
  runId: z.string().check(z.minLength(1)),
  operation: z.enum(DEVICE_OPERATIONS),
  params: z._default(
    z.strictObject({
      message: z.optional(z.string()),
      tel: z.optional(z.string()),
      email: z.optional(z.string()),
    }),
    {},
  ),
  chunk: z.number().check(z.int(), z.nonnegative()),
  /** 0 for the first delivery of a chunk; a follow-up with the retryable rest counts up. */
  attempt: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  deviceUids: z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(10_000)),
  /** The run's chunk count when known up front (API requests); absent for streamed jobs. */
  total: z.optional(z.number().check(z.int(), z.positive())),
});

/** One SQS message: a slice of a job's targets that one worker invocation executes. */
export type ChunkMessage = z.infer<typeof schema>;

/** A queue message body that is not a chunk message; not retryable, it goes to the DLQ. */
export class ChunkMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChunkMessageError';
  }
}

/**
 * Parses and validates an SQS message body into a `ChunkMessage`, throwing `ChunkMessageError`
 * with every problem named when the body is not one.
 *
 * @example
 * const chunk = parseChunkMessage(record.body);
 * chunk.deviceUids.length; // <= 10,000
 */
export function parseChunkMessage(body: string): ChunkMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ChunkMessageError('chunk message is not JSON', { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ChunkMessageError(`invalid chunk message: ${issues.join('; ')}`);
  }
  return result.data;
}

/**
 * The idempotency key of a chunk delivery: the same chunk and attempt is executed at most once,
 * whatever SQS redelivers.
 *
 * @example
 * chunkKey({ runId: 'r1', chunk: 3, attempt: 0 }); // 'chunk#r1#3#0'
 */
export function chunkKey(message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt'>): string {
  return `chunk#${message.runId}#${message.chunk}#${message.attempt}`;
}
