import { describe, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors';
import { UndefinedParamError } from '../../../lib/config/jobParams';
import { JobsConfigError } from '../../../lib/config/jobsConfig';
import { PlaceholderValueError, StageParamError } from '../../../lib/config/planJobSchedules';
import { ServiceConfigError } from '../../../lib/config/serviceConfig';
import { expectFamilyMember, expectOneErrorFamily } from '../../helpers/errorFamily';

describe('lib/config errors', () => {
  it('descend from ConfigError (lib/config/errors.ts) and end in Error', () => {
    expectOneErrorFamily('config', 'ConfigError');
  });

  it.each([
    (cause: unknown) => new ConfigError('x', { cause }),
    (cause: unknown) => new ServiceConfigError(['KNOX_BASE_URL: invalid'], { cause }),
    (cause: unknown) => new JobsConfigError(['jobs.a.message: missing'], { cause }),
    (cause: unknown) => new UndefinedParamError(['mesage'], 'params.default', { cause }),
    (cause: unknown) => new PlaceholderValueError('prod', ['message'], { cause }),
    (cause: unknown) => new StageParamError('prod', ['alertEmails'], 'no subscriber', { cause }),
  ])('%# sets its name and keeps its cause', (make) => {
    const cause = new Error('root');
    expectFamilyMember(make(cause), ConfigError, cause);
  });
});
