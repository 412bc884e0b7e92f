import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CfnLintUnavailableError,
  countLevels,
  requireCfnLint,
  stagesOf,
} from '../../../scripts/lint-templates';

const root = new URL('../../../', import.meta.url);

describe('stagesOf', () => {
  it('lists the params keys other than default, in file order', () => {
    expect(stagesOf('params:\n  default: { a: 1 }\n  qa: {}\n  prod: { b: 2 }\n  dev: {}\n')).toEqual([
      'qa',
      'prod',
      'dev',
    ]);
  });

  it("derives the repository's stages from serverless.yml (CloudFormation tags and all)", async () => {
    const text = await readFile(new URL('serverless.yml', root), 'utf8');
    const stages = stagesOf(text);
    const params = (parseYaml(text, { logLevel: 'error' }) as { params: Record<string, unknown> }).params;
    expect(stages).toEqual(Object.keys(params).filter((key) => key !== 'default'));
    expect(stages).toEqual(expect.arrayContaining(['dev', 'ci', 'prod']));
  });

  it.each([
    ['no params block', 'service: x\n', /no params block/],
    ['only defaults', 'params:\n  default: {}\n', /no stage besides default/],
  ])('refuses %s', (_case, text, message) => {
    expect(() => stagesOf(text)).toThrow(message);
  });
});

describe('countLevels', () => {
  it('counts cfn-lint findings by level', () => {
    const match = (Level: string, Id: string) => ({ Level, Message: Id, Rule: { Id } });
    expect(
      countLevels([
        match('Error', 'E3006'),
        match('Warning', 'W3005'),
        match('Warning', 'W8003'),
        match('Informational', 'I3042'),
      ]),
    ).toEqual({ errors: 1, warnings: 2, informational: 1 });
    expect(countLevels([])).toEqual({ errors: 0, warnings: 0, informational: 0 });
  });
});

describe('requireCfnLint', () => {
  it('fails with a message that says how to install cfn-lint when it is missing', async () => {
    const missing = requireCfnLint('cfn-lint-not-installed-here');
    await expect(missing).rejects.toBeInstanceOf(CfnLintUnavailableError);
    await expect(missing).rejects.toThrow(/not installed or not on PATH.*pipx install cfn-lint==1\.51\.0/);
  });
});

describe('.cfnlintrc', () => {
  // W3005 is ignored because the CLI writes redundant DependsOn entries into resources it
  // generates; that only hides nothing of ours while infra/ declares no DependsOn itself.
  it('ignores W3005 only while infra/*.yml declares no DependsOn', async () => {
    const config = parseYaml(await readFile(new URL('.cfnlintrc', root), 'utf8')) as {
      ignore_checks: string[];
    };
    expect(config.ignore_checks).toEqual(['W3005']);
    const files = (await readdir(new URL('infra/', root))).filter((file) => file.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(await readFile(new URL(`infra/${file}`, root), 'utf8'), file).not.toMatch(/^\s+DependsOn:/m);
    }
  });
});
