import { describe, expect, it } from 'vitest';
import { assertJobParamsDefined, referencedJobParams } from '../../../lib/config';
import { isUnsetParam, resolveJobParams, UndefinedParamError } from '../../../lib/config/jobParams';

// `${param:<name>}`, written without tripping the template-string lint.
const ref = (name: string): string => ['$', '{param:', name, '}'].join('');

describe('resolveJobParams', () => {
  it('replaces whole references with the typed value and inline ones with text', () => {
    const { job, fields, unset } = resolveJobParams(
      {
        operation: 'lock',
        enabled: ref('on'),
        message: `Overdue. Call ${ref('tel')} or write to ${ref('mail')}.`,
        contact: { tel: ref('tel') },
        chunkSize: 100,
      },
      { on: true, tel: '+49 89 2024 7710', mail: 'inkasso@acme-finanz.de' },
    );

    expect(job).toEqual({
      operation: 'lock',
      enabled: true,
      message: 'Overdue. Call +49 89 2024 7710 or write to inkasso@acme-finanz.de.',
      contact: { tel: '+49 89 2024 7710' },
      chunkSize: 100,
    });
    expect(fields).toEqual({ enabled: ['on'], message: ['tel', 'mail'], 'contact.tel': ['tel'] });
    expect(unset).toEqual([]);
  });

  it.each([[undefined], [null], [''], ['   ']])(
    'drops a field whose parameter is %j and lists it',
    (value) => {
      const { job, unset } = resolveJobParams(
        { message: ref('msg'), contact: { tel: ref('tel'), email: 'a@acme-finanz.de' } },
        { msg: value, tel: '+49 89 2024 7710' },
      );

      expect(job).toEqual({ contact: { tel: '+49 89 2024 7710', email: 'a@acme-finanz.de' } });
      expect(unset).toEqual(['msg']);
    },
  );

  it('keeps false and 0 as values: only missing, null and blank count as unset', () => {
    expect([false, 0, 'x'].map(isUnsetParam)).toEqual([false, false, false]);
    expect([undefined, null, '', ' '].map(isUnsetParam)).toEqual([true, true, true, true]);
  });

  it('lists every referenced parameter of a document once, sorted', () => {
    expect(
      referencedJobParams({
        jobs: { a: { message: `${ref('m')} ${ref('b')}` }, b: { contact: { tel: ref('m') } } },
        stages: { prod: { jobs: { a: { message: ref('z') } } } },
      }),
    ).toEqual(['b', 'm', 'z']);
  });

  it('assertJobParamsDefined names every reference params.default lacks, and accepts defined ones (even empty)', () => {
    const raw = {
      jobs: { a: { message: ref('overdueLockMesage'), contact: { tel: ref('tel') } } },
      stages: { prod: { jobs: { a: { message: ref('other') } } } },
    };

    expect(() => assertJobParamsDefined(raw, { overdueLockMesage: '', tel: '', other: null })).not.toThrow();
    let caught: unknown;
    try {
      assertJobParamsDefined(raw, { tel: '' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UndefinedParamError);
    expect((caught as UndefinedParamError).params).toEqual(['other', 'overdueLockMesage']);
    expect((caught as Error).message).toContain(
      `references ${ref('other')}, ${ref('overdueLockMesage')}, but serverless.yml defines no param other, overdueLockMesage (params.default)`,
    );
  });
});
