import { type DeviceResult, failureFromEnvelope, type KnoxCodeName, knoxCode } from '../../lib/errors';
import type { ChunkMessage, ChunkQueue } from '../../lib/operations';
import type { FailureSink, OperationExecutor, RunObservation } from '../../lib/operations/ports';

/** An executor whose per-device answer is decided by a function of the device id. */
export function fakeExecutor(
  outcome: (deviceUid: string) => KnoxCodeName | 'OK' | number,
): OperationExecutor & {
  calls: { operation: string; deviceUids: readonly string[] }[];
} {
  const calls: { operation: string; deviceUids: readonly string[] }[] = [];
  return {
    calls,
    async execute(operation, deviceUids) {
      calls.push({ operation, deviceUids });
      const results: DeviceResult[] = deviceUids.map((requestedId) => {
        const answer = outcome(requestedId);
        if (answer === 'OK') return { ok: true, requestedId };
        const envelope =
          typeof answer === 'number'
            ? {}
            : { code: knoxCode(answer).code, message: answer, reason: `simulated ${answer}` };
        const status = typeof answer === 'number' ? answer : knoxCode(answer).httpStatus;
        return { ok: false, requestedId, error: failureFromEnvelope(envelope, status, { requestedId }) };
      });
      return { results };
    },
  };
}

export function recordingSink(): FailureSink & { observations: RunObservation[]; flushed: string[] } {
  const observations: RunObservation[] = [];
  const flushed: string[] = [];
  return {
    observations,
    flushed,
    async process(observation) {
      observations.push(observation);
    },
    async flush(run) {
      flushed.push(run.runId);
    },
  };
}

export function recordingQueue(): ChunkQueue & {
  sent: { messages: ChunkMessage[]; delaySeconds?: number }[];
} {
  const sent: { messages: ChunkMessage[]; delaySeconds?: number }[] = [];
  return {
    sent,
    async send(messages, options = {}) {
      sent.push({ messages: [...messages], delaySeconds: options.delaySeconds });
    },
  };
}
