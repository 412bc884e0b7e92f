import { describe, it } from 'vitest';
import {
  AlertError,
  AlertPublishError,
  AlertRulesError,
  AlertStateError,
  SilenceError,
} from '../../../lib/alerts/errors';
import { expectFamilyMember, expectOneErrorFamily } from '../../helpers/errorFamily';

describe('lib/alerts errors', () => {
  it('descend from AlertError (lib/alerts/errors.ts) and end in Error', () => {
    expectOneErrorFamily('alerts', 'AlertError');
  });

  it.each([
    (cause: unknown) => new AlertError('x', { cause }),
    (cause: unknown) => new AlertRulesError(['groupWait: not a duration'], { cause }),
    (cause: unknown) => new AlertPublishError('x', ['a'], ['b'], { cause }),
    (cause: unknown) => new AlertStateError('x', { cause }),
    (cause: unknown) => new SilenceError('x', 'store', { cause }),
  ])('%# sets its name and keeps its cause', (make) => {
    const cause = new Error('root');
    expectFamilyMember(make(cause), AlertError, cause);
  });
});
