// valibot: its functions tree-shake and a schema is a plain object, cheap to build at cold start.
import * as v from 'valibot';

// EventBridge Scheduler passes the target's Input as the event itself; an EventBridge rule wraps
// it in `detail`. Both are accepted so a schedule can move between the two without a code change.
const input = v.object({
  job: v.pipe(v.string(), v.minLength(1)),
  /** `<aws.scheduler.scheduled-time>`: makes the run id stable across the scheduler's retries. */
  scheduledTime: v.optional(v.string()),
});

export type ScheduledInput = v.InferOutput<typeof input>;

/** The scheduler's input is not usable; not retryable, so the scheduler sends it to its DLQ. */
export class ScheduledInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScheduledInputError';
  }
}

/**
 * Reads `{job, scheduledTime?}` from an EventBridge Scheduler invocation (or an EventBridge rule's
 * `detail`), failing with a message that says what was received.
 *
 * @example
 * parseScheduledInput({ job: 'overdue-lock', scheduledTime: '2026-11-25T02:00:00Z' }).job; // 'overdue-lock'
 */
export function parseScheduledInput(event: unknown): ScheduledInput {
  const candidate =
    typeof event === 'object' && event !== null && 'detail' in event
      ? (event as { detail: unknown }).detail
      : event;
  const result = v.safeParse(input, candidate);
  if (!result.success) {
    throw new ScheduledInputError(
      `scheduled event needs {"job": "<name>"}: ${result.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return result.output;
}
