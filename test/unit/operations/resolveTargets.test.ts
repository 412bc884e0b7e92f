import { describe, expect, it } from 'vitest';
import { resolveTargets, TargetsError } from '../../../lib/operations';

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
          onInvalid: (e) => invalid.push(e),
        },
      ),
    );
    expect(ids).toEqual(['356938035643809', '356938035643817']);
    expect(invalid).toEqual(['not an id!']);
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
});
