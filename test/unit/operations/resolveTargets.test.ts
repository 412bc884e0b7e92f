import { describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  readProblem,
  resolveTargets,
  TargetsError,
} from '../../../lib/operations/resolveTargets';
import { createTargetsReport, MAX_SKIPPED_SAMPLE } from '../../../lib/operations/targetsReport';
import { withCheckDigit } from '../webhooks/helpers';

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function objects(text: string, pieceSize = 7) {
  return {
    async open() {
      const bytes = new TextEncoder().encode(text);
      return (async function* () {
        for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.slice(i, i + pieceSize);
      })();
    },
  };
}

describe('resolveTargets', () => {
  it('reads a CSV with a header, any column order, CRLF and split multi-byte chunks', async () => {
    const csv =
      'customer,deviceUid,amount\r\nÄnne,356938035643809,10\r\nBob,"356938035643817",12\r\n\r\nCid,356938035643809,1\r\n';
    const invalid: string[] = [];
    const ids = await collect(
      resolveTargets(
        { source: 's3', key: 'overdue/latest.csv' },
        { objects: objects(csv, 3), onInvalid: (e) => invalid.push(e) },
      ),
    );
    expect(ids).toEqual(['356938035643809', '356938035643817']);
    expect(invalid).toEqual([]);
  });

  it('reads a header-less CSV from the first column and reports invalid entries', async () => {
    const invalid: string[] = [];
    const ids = await collect(
      resolveTargets(
        { source: 's3', key: 'x.csv' },
        {
          objects: objects('356938035643809\nnot an id!\n356938035643817'),
          onInvalid: (place, detail) => invalid.push(`${place}: ${detail}`),
        },
      ),
    );
    expect(ids).toEqual(['356938035643809', '356938035643817']);
    expect(invalid).toEqual([
      'line 2: "no**** id!" is neither an IMEI (15 digits) nor a serial number (8-20 letters and digits, both)',
    ]);
  });

  // Break-it pass, 2026-12-01: a 200,000-character cell was masked whole before the cut (25 s;
  // a 1 MiB row would have outlasted scheduledRun's 300 s).
  it('reports a huge invalid cell in a bounded line', async () => {
    const invalid: string[] = [];
    const ids = await collect(
      resolveTargets(
        { source: 's3', key: 'x.csv' },
        {
          objects: objects(`356938035643809\n${'a'.repeat(200_000)}\n356938035643817`, 65_536),
          onInvalid: (place, detail) => invalid.push(`${place}: ${detail}`),
        },
      ),
    );
    expect(ids).toEqual(['356938035643809', '356938035643817']);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatch(/^line 2: "a{2}\*{58}a\.\.\." is /);
  });

  it.each([
    ['an array of strings', '["356938035643809","356938035643817"]'],
    ['an array of objects', '[{"deviceUid":"356938035643809"},{"imei":356938035643817}]'],
    ['an object with deviceUids', '{"deviceUids":["356938035643809","356938035643817"]}'],
  ])('reads JSON as %s', async (_label, json) => {
    const ids = await collect(
      resolveTargets({ source: 's3', key: 'reminders/latest.json' }, { objects: objects(json) }),
    );
    expect(ids).toEqual(['356938035643809', '356938035643817']);
  });

  it('fails with TargetsError on invalid JSON or a missing adapter', async () => {
    await expect(
      collect(resolveTargets({ source: 's3', key: 'a.json' }, { objects: objects('{"deviceUids": [') })),
    ).rejects.toThrow(TargetsError);
    await expect(collect(resolveTargets({ source: 's3', key: 'a.json' }, {}))).rejects.toThrow(
      /object source/,
    );
    await expect(
      collect(resolveTargets({ source: 'knox', filter: { status: ['Locked'] } }, {})),
    ).rejects.toThrow(/Knox Guard client/);
  });

  it('streams a Knox Guard device-list filter', async () => {
    const seen: unknown[] = [];
    const devices = {
      async *iterateDevices(filter: unknown) {
        seen.push(filter);
        for (let i = 0; i < 3; i++) yield { deviceUid: `R58M${i}XYZ` };
      },
    };
    const ids = await collect(
      resolveTargets({ source: 'knox', filter: { status: ['Locked'] } }, { devices }),
    );
    expect(ids).toEqual(['R58M0XYZ', 'R58M1XYZ', 'R58M2XYZ']);
    expect(seen).toEqual([{ status: ['Locked'] }]);
  });

  // Issue 13 item 11: a quoted field holding the separator dropped the device silently.
  it('reads a quoted field holding the separator, so the device on that row is not lost', async () => {
    const report = createTargetsReport();
    const csv = 'name,deviceUid\n"Doe, Jane",356938035643809\n"Roe, ""Rick""",490154203237518\n';
    const ids = await collect(
      resolveTargets({ source: 's3', key: 'a.csv' }, { objects: objects(csv), report }),
    );
    expect(ids).toEqual(['356938035643809', '490154203237518']);
    expect(report.result()).toEqual({ count: 0, byReason: {}, sample: [] });
  });

  it.each([
    ['semicolons (a German Excel export)', 'Kunde;IMEI;Betrag\r\n"Doe; Jane";356938035643809;10,50\r\n'],
    ['tabs', 'customer\tdeviceUid\nDoe, Jane\t356938035643809\n'],
    ['a UTF-8 BOM and commas', '\uFEFFdeviceUid,customer\n356938035643809,"Doe, Jane"\n'],
  ])('detects the separator from the header line: %s', async (_label, csv) => {
    const ids = await collect(resolveTargets({ source: 's3', key: 'a.csv' }, { objects: objects(csv, 5) }));
    expect(ids).toEqual(['356938035643809']);
  });

  it('takes a configured delimiter over detection', async () => {
    // The header alone would suggest ',' (two commas), the job says ';'.
    const csv = 'IMEI;note,with,commas\n356938035643809;"a, b, c"\n';
    const ids = await collect(
      resolveTargets(
        { source: 's3', key: 'a.csv', delimiter: ';', column: 'imei' },
        { objects: objects(csv) },
      ),
    );
    expect(ids).toEqual(['356938035643809']);
  });

  it('normalises ids the way lib/devices does: prefixes, separators, case', async () => {
    const csv =
      'deviceUid\nIMEI356938035643809\n35-693803-564380-9\nS/N r58m123abcd\nconstructor\n3569380356438\n';
    const report = createTargetsReport();
    const ids = await collect(
      resolveTargets({ source: 's3', key: 'a.csv' }, { objects: objects(csv), report }),
    );
    expect(ids).toEqual(['356938035643809', 'R58M123ABCD']);
    expect(report.result()).toMatchObject({ count: 2, byReason: { 'invalid device id': 2 } });
    expect(report.result().sample.map((line) => line.split(':')[0])).toEqual(['line 5', 'line 6']);
  });

  it('reports unreadable rows with their line numbers in the outcome and keeps reading the rest', async () => {
    const report = createTargetsReport();
    const logged: string[] = [];
    const csv = [
      'name,deviceUid',
      'Ann,356938035643809',
      'bad"quote,356938035643817',
      'Cid',
      'Dan,490154203237518',
      '"never closed,352099001761481',
      'Eve,357805023984942',
    ].join('\n');
    const ids = await collect(
      resolveTargets(
        { source: 's3', key: 'a.csv' },
        { objects: objects(csv), report, onInvalid: (place) => logged.push(place) },
      ),
    );
    expect(ids).toEqual(['356938035643809', '490154203237518']);
    const outcome = report.result();
    expect(outcome.byReason).toEqual({ 'unreadable row': 2, 'missing column': 1 });
    expect(outcome.sample).toEqual([
      'line 3: unreadable CSV row (INVALID_OPENING_QUOTE)',
      'line 4: row has 1 fields, the device id is field 2',
      'lines 6-7: unreadable CSV row (CSV_QUOTE_NOT_CLOSED)',
    ]);
    expect(logged).toEqual(['line 3', 'line 4', 'lines 6-7']);
    // Nothing in the outcome names a device in full.
    expect(JSON.stringify(outcome)).not.toMatch(/\d{15}/);
  });

  it('keeps the outcome bounded however many rows are bad', async () => {
    const report = createTargetsReport();
    const good = withCheckDigit('35693803564380');
    // Valid IMEIs with their check digit off by one.
    const bad = Array.from({ length: 5_000 }, (_, i) => {
      const valid = withCheckDigit(`3569380356${String(i).padStart(4, '0')}`);
      return `${valid.slice(0, -1)}${(Number(valid.at(-1)) + 1) % 10}`;
    });
    const csv = `deviceUid\n${[...bad, good].join('\n')}\n`;
    const ids = await collect(
      resolveTargets({ source: 's3', key: 'a.csv' }, { objects: objects(csv, 4096), report }),
    );
    expect(ids).toEqual([good]);
    const outcome = report.result();
    expect(outcome.count).toBe(bad.length);
    expect(outcome.sample).toHaveLength(MAX_SKIPPED_SAMPLE);
  });

  it('streams: the first id is yielded before the source is read to the end', async () => {
    let pulled = 0;
    const rows = 100_000;
    const source = {
      async open() {
        return (async function* () {
          yield 'deviceUid\n';
          for (let i = 0; i < rows; i++) {
            pulled += 1;
            yield `${withCheckDigit(`3569380${String(i).padStart(7, '0')}`)}\n`;
          }
        })();
      },
    };
    const iterator = resolveTargets({ source: 's3', key: 'big.csv' }, { objects: source })[
      Symbol.asyncIterator
    ]();
    const first = await iterator.next();
    expect(first.value).toBe(withCheckDigit('35693800000000'));
    expect(pulled).toBeLessThan(rows / 10);
    await iterator.return?.(undefined);
  });

  it('refuses the whole file when a row runs past 1 MiB (an unclosed quote would swallow the rest)', async () => {
    const csv = `deviceUid\n356938035643809\n"${'x'.repeat(1024 * 1024 + 10)}\n490154203237518\n`;
    await expect(
      collect(resolveTargets({ source: 's3', key: 'a.csv' }, { objects: objects(csv, 65_536) })),
    ).rejects.toThrow(/over 1048576 bytes/);
  });

  it('reports JSON entries without a usable id', async () => {
    const report = createTargetsReport();
    const json = '\uFEFF[{"deviceUid":"IMEI: 356938035643809"},{"name":"x"},null,"356938035643808"]';
    const ids = await collect(
      resolveTargets({ source: 's3', key: 'a.json' }, { objects: objects(json), report }),
    );
    expect(ids).toEqual(['356938035643809']);
    expect(report.result().sample.map((line) => line.split(':')[0])).toEqual([
      'entry 2',
      'entry 3',
      'entry 4',
    ]);
  });

  it.each([
    ['a,b,c', ','],
    ['a;b;c', ';'],
    ['a\tb\tc', '\t'],
    ['"x;y;z",b,c', ','],
    ['deviceUid', ','],
  ])('detectDelimiter(%j) is %j', (line, expected) => {
    expect(detectDelimiter(line)).toBe(expected);
  });
});

describe('readProblem: the reason names the problem, never the bucket', () => {
  const s3Error = (name: string, message: string, status?: number) =>
    Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

  it.each([
    [
      s3Error('NoSuchKey', 'The specified key does not exist.'),
      'the object does not exist (has the billing export run?)',
    ],
    [
      s3Error('NoSuchBucket', 'The specified bucket acme-prod-targets does not exist'),
      "the stack's targets bucket does not exist",
    ],
    [
      s3Error(
        'AccessDenied',
        'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::acme-prod-targets/overdue/latest.csv"',
      ),
      "access denied (the function role, the bucket policy or the stack's KMS key)",
    ],
    [
      s3Error('Unknown', 'acme-prod-targets refused', 403),
      "access denied (the function role, the bucket policy or the stack's KMS key)",
    ],
    [s3Error('SlowDown', 'Please reduce your request rate for acme-prod-targets'), 'S3 answered SlowDown'],
    [new Error('socket hang up acme-prod-targets'), 'S3 could not be read (see the scheduledRun logs)'],
  ])('%s', (error, expected) => {
    expect(readProblem(error)).toBe(expected);
    expect(readProblem(error)).not.toContain('acme-prod-targets');
  });
});
