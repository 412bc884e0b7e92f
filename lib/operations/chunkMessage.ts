// valibot: its functions tree-shake and a schema is a plain object, cheap to build at cold start.
import * as v from 'valibot';
import { DEVICE_OPERATIONS } from '../knox';
import { KNOX_BULK_LIMIT } from '../knox/constants';
import { OPERATION_FIELDS, type OperationFieldName } from '../knox/operationRules';
import { formatIssues, nonArray } from '../validation';
import { OperationsError } from './errors';

/** Version of the chunk message body; bump when the shape changes so old messages are recognised. */
export const CHUNK_MESSAGE_VERSION = 1;

const nonEmpty = v.pipe(v.string(), v.minLength(1));

/**
 * Longest transaction handle a chunk message carries (`transactionId`). Knox's handles are UUIDs
 * (ours) or its own short ids; the bound keeps a follow-up within the room runScheduledJob leaves
 * besides the ids (`CHUNK_ENVELOPE_BYTES`, 1 KiB).
 */
export const MAX_TRANSACTION_ID_LENGTH = 256;
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

const FIELD_SCHEMAS = {
  string: v.string(),
  number: v.number(),
  boolean: v.boolean(),
  'number[]': v.array(v.number()),
} as const;
type FieldSchemas = {
  readonly [K in OperationFieldName]: v.OptionalSchema<
    (typeof FIELD_SCHEMAS)[(typeof OPERATION_FIELDS)[K]],
    undefined
  >;
};
// The operation body fields, built from lib/knox's table (OPERATION_FIELDS) so a field added there
// travels in chunk messages without a second list here; unknown fields are refused.
const paramsSchema = v.strictObject(
  Object.fromEntries(
    Object.entries(OPERATION_FIELDS).map(([name, type]) => [name, v.optional(FIELD_SCHEMAS[type])]),
  ) as FieldSchemas,
);

const schema = v.strictObject({
  v: v.literal(CHUNK_MESSAGE_VERSION),
  stage: nonEmpty,
  job: nonEmpty,
  runId: nonEmpty,
  operation: v.picklist(DEVICE_OPERATIONS),
  params: v.optional(nonArray(paramsSchema), {}),
  chunk: count,
  /** 0 for the first delivery of a chunk; a follow-up with the retryable rest counts up. */
  attempt: v.optional(count, 0),
  deviceUids: v.pipe(v.array(nonEmpty), v.minLength(1), v.maxLength(KNOX_BULK_LIMIT)),
  /**
   * A follow-up of devices an earlier attempt left NOT_FINISHED: the handle of the Knox Guard
   * transaction they were submitted in. This attempt polls it instead of submitting again, so no
   * device is operated (a message shown) twice. Absent in messages written before it existed.
   */
  transactionId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TRANSACTION_ID_LENGTH))),
  /** The run's chunk count when known up front (API requests); absent for streamed jobs. */
  total: v.optional(v.pipe(v.number(), v.integer(), v.gtValue(0))),
});

/** One SQS message: a slice of a job's targets that one worker invocation executes. */
export type ChunkMessage = v.InferOutput<typeof schema>;

/** A queue message body that is not a chunk message; not retryable, it goes to the DLQ. */
export class ChunkMessageError extends OperationsError {
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
  const result = v.safeParse(schema, json);
  if (!result.success) {
    throw new ChunkMessageError(`invalid chunk message: ${formatIssues(result.issues).join('; ')}`);
  }
  return result.output;
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
