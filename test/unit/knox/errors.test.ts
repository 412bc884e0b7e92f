import { describe, expect, it } from 'vitest';
import { KnoxCheckSetupError } from '../../../lib/knox/check/KnoxCheckSetupError';
import {
  KnoxCertificateError,
  KnoxClientError,
  KnoxError,
  KnoxRequestError,
  KnoxUnverifiedApiError,
} from '../../../lib/knox/errors';
import { HttpTransportError } from '../../../lib/knox/HttpTransport';
import { expectFamilyMember, expectOneErrorFamily } from '../../helpers/errorFamily';

describe('lib/knox errors', () => {
  it('descend from KnoxError (lib/knox/errors.ts) and end in Error', () => {
    expectOneErrorFamily('knox', 'KnoxError');
  });

  it.each([
    (cause: unknown) => new KnoxError('x', { cause }),
    (cause: unknown) => new KnoxClientError('x', { cause }),
    (cause: unknown) => new KnoxRequestError('x', 'message', { cause }),
    (cause: unknown) => new KnoxCertificateError('x', { cause }),
    (cause: unknown) => new KnoxUnverifiedApiError('x', '/licenses/list', { cause }),
    (cause: unknown) => new HttpTransportError('timeout', 'x', { cause }),
    (cause: unknown) => new KnoxCheckSetupError('x', { cause }),
  ])('%# sets its name and keeps its cause', (make) => {
    const cause = new Error('root');
    expectFamilyMember(make(cause), KnoxError, cause);
  });

  it('keeps the client errors apart from transport failures', () => {
    expect(new HttpTransportError('transport', 'reset')).not.toBeInstanceOf(KnoxClientError);
    expect(new KnoxRequestError('x', 'tel')).toBeInstanceOf(KnoxClientError);
  });
});
