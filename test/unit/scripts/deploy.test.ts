import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stageArgument } from '../../../scripts/deploy';

describe('npm run deploy: the stage argument', () => {
  it.each([
    [['--stage', 'prod'], 'prod'],
    [['-s', 'prod'], 'prod'],
    [['--stage=prod'], 'prod'],
    [['-s=prod'], 'prod'],
    [['--region', 'eu-central-1', '-s', 'ci', '--param=schedulesState=DISABLED'], 'ci'],
    [['--param=lockContactTel=+49 89 2024 7710', '--stage', 'prod'], 'prod'],
  ])('%j names stage %s, as the serverless CLI reads it', (args, stage) => {
    expect(stageArgument(args)).toBe(stage);
  });

  it.each([
    [[]],
    [['--region', 'eu-central-1']],
    [['--stage']],
    [['-s', '--region', 'eu-central-1']],
    [['--stage=']],
    [['--param=stage=prod']],
  ])('%j names no stage', (args) => {
    expect(stageArgument(args)).toBeUndefined();
  });

  it('the wrapper refuses a deploy without a stage before starting the CLI', () => {
    const script = fileURLToPath(new URL('../../../scripts/deploy.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, '--region', 'eu-central-1'], {
      encoding: 'utf8',
    });

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('say which stage');
    expect(result.stderr).toContain('-s prod');
  });
});
