// The logger's correlation id search is functions/shared/jmespathFields.ts. It must answer exactly
// as the real @aws-lambda-powertools/jmespath for the plain field names and dotted paths of them
// it accepts and refuse everything else; the functions' idempotency settings (evaluated by the
// real package) stay plain top-level field names. test/e2e runs the packaged handlers through
// every idempotent path (a redelivered chunk, a repeated Knox callback, an Idempotency-Key reused
// with the same and with a different body).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFieldName, isFieldPath, search } from '../../../functions/shared/jmespathFields';
import { idempotencyConfig } from '../../../functions/shared/runtime';

// The copy Powertools idempotency itself resolves.
const fromIdempotency = createRequire(
  createRequire(import.meta.url).resolve('@aws-lambda-powertools/idempotency'),
);
const jmespath = fromIdempotency('@aws-lambda-powertools/jmespath') as {
  search(expression: string, data: unknown, options?: unknown): unknown;
};
const { PowertoolsFunctions: RealPowertoolsFunctions } = fromIdempotency(
  '@aws-lambda-powertools/jmespath/functions',
) as {
  PowertoolsFunctions: new () => unknown;
};

// Not the names of Object.prototype's members: the real parser caches parsed expressions in a
// plain object and fails on those (`toString`, `constructor`, ...); nobody keys idempotency on them.
const fieldName = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)
  .filter((name) => !(name in Object.prototype));
// Payload shapes idempotency may see: objects with and without the field, inherited names,
// arrays, primitives, null, undefined values, prototype-less objects.
const payload = (field: string) =>
  fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.oneof(fc.constant(field), fc.string()), fc.jsonValue()),
    fc.jsonValue().map((value) => ({ [field]: value })),
    fc.constant({ [field]: undefined }),
    fc.constant([{ [field]: 1 }]),
    fc.constant(Object.create(null)),
    fc.constant(undefined),
  );

describe('jmespathFields (the JMESPath subset of the correlation id search)', () => {
  it('answers as @aws-lambda-powertools/jmespath for any field name and payload', () => {
    fc.assert(
      fc.property(
        fieldName.chain((field) => fc.tuple(fc.constant(field), payload(field))),
        ([field, data]) => {
          const options = { customFunctions: new RealPowertoolsFunctions() };
          expect(search(field, data)).toStrictEqual(jmespath.search(field, data, options));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it.each(['null', 'true', 'false', '_'])(
    'takes "%s" for a field name, as the real package does',
    (field) => {
      for (const data of [{}, { [field]: 'own' }, null, [field]]) {
        expect(search(field, data)).toStrictEqual(jmespath.search(field, data));
      }
    },
  );

  it('answers as @aws-lambda-powertools/jmespath for any dotted path of field names (the correlation id path)', () => {
    const path = fc.array(fieldName, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        path.chain((fields) =>
          fc.tuple(
            fc.constant(fields.join('.')),
            fc.oneof(
              payload(fields[0] as string),
              // The path present all the way down, with any leaf.
              fc
                .jsonValue()
                .map((leaf) => fields.reduceRight<unknown>((inner, field) => ({ [field]: inner }), leaf)),
            ),
          ),
        ),
        ([expression, data]) => {
          expect(isFieldPath(expression)).toBe(true);
          const options = { customFunctions: new RealPowertoolsFunctions() };
          expect(search(expression, data)).toStrictEqual(jmespath.search(expression, data, options));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('finds the HTTP API request id at the logger correlation path', () => {
    const event = { requestContext: { requestId: 'abc-123', http: { method: 'POST' } } };
    expect(search('requestContext.requestId', event)).toBe('abc-123');
    expect(search('requestContext.requestId', { requestContext: 'text' })).toBeNull();
  });

  it.each([
    'message..runId',
    'message.',
    'body | length(@)',
    'powertools_json(body).id',
    '[0]',
    '"quoted"',
    ' key',
    '',
    '9lives',
  ])('refuses "%s" with a clear error', (expression) => {
    expect(isFieldName(expression)).toBe(false);
    expect(isFieldPath(expression)).toBe(false);
    expect(() => search(expression, { key: 1 })).toThrow(/^JMESPath is not bundled: /);
  });
});

describe('idempotencyConfig', () => {
  it('takes plain field names: the key and, optionally, the payload to validate', () => {
    const config = idempotencyConfig('key', 60, 'bodyHash');

    expect(config.eventKeyJmesPath).toBe('key');
    expect(config.payloadValidationJmesPath).toBe('bodyHash');
    expect(config.throwOnNoIdempotencyKey).toBe(true);
  });

  it.each([
    ['message.key', undefined],
    ['key', 'powertools_json(body)'],
  ])('refuses anything but plain top-level field names (%s, %s)', (key, validation) => {
    expect(() => idempotencyConfig(key, 60, validation)).toThrow(/is not a plain field name/);
  });

  it('the functions build their idempotency settings when they load (so a bad one fails here)', async () => {
    // Both create their configs at module scope through idempotencyConfig.
    await expect(import('../../../functions/webhook')).resolves.toHaveProperty('handler');
    await expect(import('../../../functions/operation-worker')).resolves.toHaveProperty('handler');
    await expect(import('../../../functions/scheduled-run')).resolves.toHaveProperty('handler');
  });
});
