import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referencedJobParams } from '../../../lib/config';
import { findPlaceholder } from '../../../lib/config/findPlaceholder';
import {
  DOC_FILES,
  PARAM_DOCS,
  readParamDocsSources,
  renderParamDocs,
  replaceBetweenMarkers,
} from '../../../scripts/generate-param-docs';
import { readServerlessManifest } from '../../../scripts/serverlessManifest';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, ROOT), 'utf8');

// The rows of the markdown table between a pair of generated markers, as cells.
function tableRows(text: string, marker: string): string[][] {
  const begin = text.indexOf(`<!-- generated:${marker}`);
  const end = text.indexOf(`<!-- /generated:${marker} -->`);
  return text
    .slice(begin, end)
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .slice(1)
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}
const unquote = (cell: string | undefined): string =>
  cell === 'empty' ? '' : (cell ?? '').replace(/^`|`$/g, '');

describe('generated parameter docs (npm run docs:params)', () => {
  it('docs/operator-guide.md holds exactly what the generator renders now', async () => {
    const sources = await readParamDocsSources();
    const committed = { guide: await readFile(DOC_FILES.guide, 'utf8') };

    const rendered = await renderParamDocs(sources, committed);

    expect(rendered.guide, 'docs/operator-guide.md is stale: run npm run docs:params').toBe(committed.guide);
  });

  it('the README holds no generated table, so no stale copy of one can linger there', async () => {
    // The tables moved to the operator guide; the generator no longer writes README.md.
    expect(await read('README.md')).not.toMatch(/<!-- \/?generated:/);
  });

  it("the operator guide's parameter table says what serverless.yml says, stage by stage", async () => {
    const manifest = await readServerlessManifest();
    const rows = tableRows(await read('docs/operator-guide.md'), 'stage-params');
    const stages = Object.keys(manifest.params).filter((stage) => stage !== 'default');

    const names = [...new Set(Object.values(manifest.params).flatMap((params) => Object.keys(params)))];
    expect(rows.map((row) => unquote(row[0]))).toEqual(names);
    for (const row of rows) {
      const name = unquote(row[0]);
      expect(unquote(row[1]), `${name} default`).toBe(String(manifest.params.default?.[name] ?? ''));
      stages.forEach((stage, index) => {
        const own = manifest.params[stage]?.[name];
        expect(unquote(row[2 + index]), `${name} in ${stage}`).toBe(own === undefined ? '' : String(own));
      });
    }
    // The figures the README once had wrong: workers 1/2/2 by default, 11/11 in prod.
    const row = (name: string) => rows.find((cells) => unquote(cells[0]) === name) ?? [];
    expect(row('workerMaxConcurrency').slice(1, 5).map(unquote)).toEqual(['2', '', '', '11']);
    expect(row('knoxRateLimitPerSecond').slice(1, 5).map(unquote)).toEqual(['10', '', '', '50']);
    expect(row('approvePendingSchedule')).not.toEqual([]);
  });

  it('the job table says licence-health is off in prod as shipped, and why (it could only report itself unavailable)', async () => {
    const text = await read('docs/operator-guide.md');
    const header = text
      .slice(text.indexOf('<!-- generated:job-params'))
      .split('\n')
      .find((line) => line.startsWith('| job |'))
      ?.slice(2, -2)
      .split(' | ');
    const rows = tableRows(text, 'job-params');
    const row = rows.find((cells) => unquote(cells[0]) === 'licence-health') ?? [];
    const prod = (header ?? []).indexOf('prod as shipped');

    expect(prod).toBeGreaterThan(0);
    expect(row[3]).toBe('`knoxUnverifiedLicenceApi: "true"`');
    expect(row[prod]).toMatch(/^off: param knoxUnverifiedLicenceApi is not "true" \(.*npm run knox:check/);
    for (const cells of rows) expect(cells[prod], unquote(cells[0])).not.toBe('runs');
  });

  it('the operator guide lists every variable lib/config reads, and says serverless.yml sets only what it sets', async () => {
    const manifest = await readServerlessManifest();
    const rows = tableRows(await read('docs/operator-guide.md'), 'env-vars');
    const where = new Map(rows.map((cells) => [unquote(cells[0]), cells[2] ?? '']));

    for (const name of Object.keys(manifest.environment))
      expect(where.get(name), name).toMatch(/^serverless\.yml: /);
    for (const name of ['KNOX_LATENCY_MS', 'KNOX_BULK_LIMIT']) {
      expect(name in manifest.environment).toBe(false);
      expect(where.get(name)).toBe('nothing: the default applies');
    }
    const schema = await read('lib/config/serviceConfig.ts');
    const declared = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+): v\./gm)].map((match) => match[1]);
    expect(declared.length).toBeGreaterThan(10);
    for (const name of declared) expect(where.has(name as string), name).toBe(true);
  });

  it('every param reference (param:x) that serverless.yml, infra/*.yml and config/jobs.yml use is defined in params.default', async () => {
    const manifest = await readServerlessManifest();
    const infra = await readdir(new URL('infra/', ROOT));
    const texts = [
      await read('serverless.yml'),
      ...(await Promise.all(infra.map((file) => read(`infra/${file}`)))),
    ];
    const used = new Set([
      ...texts.flatMap((text) => [...text.matchAll(/\$\{param:(\w+)\}/g)].map((match) => match[1] as string)),
      ...referencedJobParams(parse(await read('config/jobs.yml'))),
    ]);

    for (const name of used) expect(manifest.params.default, name).toHaveProperty(name);
  });

  it('no doc claims alert contacts can be changed on the stack (the CLI resets them on deploy)', async () => {
    const docs = await readdir(new URL('docs/', ROOT));
    for (const file of ['README.md', ...docs.map((name) => `docs/${name}`)]) {
      expect(await read(file), file).not.toMatch(/can (also )?be changed on the stack/);
    }
  });

  it('every phone number or e-mail address the param table shows as an example is one the placeholder check refuses', () => {
    // An operator copies the example: a stage that runs its schedules must not accept it.
    const examples = Object.values(PARAM_DOCS).flatMap((text) =>
      [...text.matchAll(/`([^`]+)`/g)]
        .map((match) => match[1] as string)
        .filter((value) => /^\+?[\d\s().-]{6,}$/.test(value) || /@/.test(value)),
    );

    expect(examples).toContain('+4915112345678'); // alertPhones
    for (const example of examples) expect(findPlaceholder(example), example).toBeDefined();
  });

  it('refuses to render into a file whose markers went missing', () => {
    expect(() => replaceBetweenMarkers('# no markers here', 'env-vars', '| x |')).toThrow(/markers/);
  });
});
