import { describe, it } from 'vitest';
import { OperationQueueError } from '../../../lib/operations/acceptOperationRequest';
import { ChunkQueueError } from '../../../lib/operations/ChunkQueueError';
import { ChunkMessageError } from '../../../lib/operations/chunkMessage';
import { OperationsError } from '../../../lib/operations/errors';
import { ChunkOutcomeMismatchError } from '../../../lib/operations/executeChunk';
import { TargetsError } from '../../../lib/operations/resolveTargets';
import { expectFamilyMember, expectOneErrorFamily } from '../../helpers/errorFamily';

describe('lib/operations errors', () => {
  it('descend from OperationsError (lib/operations/errors.ts) and end in Error', () => {
    expectOneErrorFamily('operations', 'OperationsError');
  });

  it.each([
    (cause: unknown) => new OperationsError('x', { cause }),
    (cause: unknown) => new ChunkMessageError('x', { cause }),
    (cause: unknown) => new ChunkQueueError('x', [1], { cause }),
    (cause: unknown) => new ChunkOutcomeMismatchError('x', { cause }),
    (cause: unknown) =>
      new OperationQueueError(
        'x',
        { operationId: 'op', chunks: 2, notQueued: [1], retryable: true },
        { cause },
      ),
    (cause: unknown) => new TargetsError('x', { cause }),
  ])('%# sets its name and keeps its cause', (make) => {
    const cause = new Error('root');
    expectFamilyMember(make(cause), OperationsError, cause);
  });
});
