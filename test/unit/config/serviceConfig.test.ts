import { describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError } from '../../../lib/config';

const base = {
  STAGE: 'dev',
  STATE_TABLE: 't',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-central-1:1:t',
  OPERATIONS_QUEUE_URL: 'http://q',
};

describe('loadServiceConfig', () => {
  it('applies defaults', () => {
    const config = loadServiceConfig(base);
    expect(config.KNOX_BASE_URL).toBe('https://eu-kcs-api.samsungknox.com');
    expect(config.KNOX_RATE_LIMIT_PER_SECOND).toBe(10);
  });

  it('names every missing or malformed variable', () => {
    let caught: unknown;
    try {
      loadServiceConfig({ STAGE: 'dev', KNOX_BASE_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ServiceConfigError);
    const issues = (caught as ServiceConfigError).issues.join('\n');
    for (const name of ['STATE_TABLE', 'ALERT_TOPIC_ARN', 'OPERATIONS_QUEUE_URL', 'KNOX_BASE_URL'])
      expect(issues).toContain(name);
  });

  it('reads the Secrets Manager secret ids and refuses empty ones by name', () => {
    const config = loadServiceConfig({
      ...base,
      KNOX_CREDENTIALS_SECRET_ID: 'knox-guard-sentinel/dev/knox-credentials',
      OPERATIONS_HMAC_SECRET_ID: 'knox-guard-sentinel/dev/operations-hmac-key',
      KNOX_VALIDATION_CERT_SECRET_ID: 'knox-guard-sentinel/dev/knox-validation-certificate',
    });
    expect(config.OPERATIONS_HMAC_SECRET_ID).toBe('knox-guard-sentinel/dev/operations-hmac-key');
    expect(config.KNOX_VALIDATION_CERT_SECRET_ID).toBe('knox-guard-sentinel/dev/knox-validation-certificate');

    let caught: unknown;
    try {
      loadServiceConfig({ ...base, OPERATIONS_HMAC_SECRET_ID: '', KNOX_VALIDATION_CERT_SECRET_ID: '' });
    } catch (error) {
      caught = error;
    }
    const issues = (caught as ServiceConfigError).issues.join('\n');
    expect(issues).toContain('OPERATIONS_HMAC_SECRET_ID');
    expect(issues).toContain('KNOX_VALIDATION_CERT_SECRET_ID');
  });
});
