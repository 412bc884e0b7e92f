import { describe, it } from 'vitest';
import { WebhookError } from '../../../lib/webhooks/errors';
import { KnoxEventQueueError } from '../../../lib/webhooks/KnoxEventQueue';
import { KnoxEventsMessageError, KnoxEventTooLargeError } from '../../../lib/webhooks/knoxEventsMessage';
import { expectFamilyMember, expectOneErrorFamily } from '../../helpers/errorFamily';

describe('lib/webhooks errors', () => {
  it('descend from WebhookError (lib/webhooks/errors.ts) and end in Error', () => {
    expectOneErrorFamily('webhooks', 'WebhookError');
  });

  it.each([
    (cause: unknown) => new WebhookError('x', { cause }),
    (cause: unknown) => new KnoxEventTooLargeError(0, 300_000, { cause }),
    (cause: unknown) => new KnoxEventsMessageError('x', { cause }),
    (cause: unknown) => new KnoxEventQueueError('x', { queued: 1, notQueued: 2 }, { cause }),
  ])('%# sets its name and keeps its cause', (make) => {
    const cause = new Error('root');
    expectFamilyMember(make(cause), WebhookError, cause);
  });
});
