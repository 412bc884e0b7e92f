import { describe, expect, it } from 'vitest';
import { ADMIN_USAGE, DEFAULT_STATE_DIR, parseAdminArgs } from '../../../bin/parseAdminArgs';

const parse = (...argv: string[]) => parseAdminArgs(argv, { author: 'ana' });
const local = { kind: 'local', stateDir: DEFAULT_STATE_DIR };

describe('parseAdminArgs (npx knox-guard-sentinel)', () => {
  it('alerts list on the local stack by default, --json', () => {
    expect(parse('alerts', 'list')).toEqual({
      kind: 'run',
      target: local,
      command: { name: 'list', json: false },
    });
    expect(parse('alerts', 'list', '--json')).toMatchObject({ command: { name: 'list', json: true } });
  });

  it('--stage targets a deployed stage, with --table and --region overrides', () => {
    expect(parse('alerts', 'list', '--stage', 'prod', '--region', 'eu-west-1', '--table', 't')).toMatchObject(
      {
        target: { kind: 'stage', stage: 'prod', region: 'eu-west-1', table: 't' },
      },
    );
  });

  it('alerts silence with code, job, duration, comment and the default author', () => {
    expect(
      parse(
        'alerts',
        'silence',
        '--code',
        'LICENSE_IS_LACK',
        '--job',
        'overdue-lock',
        '--for',
        '4h',
        '--comment',
        'c',
      ),
    ).toEqual({
      kind: 'run',
      target: local,
      command: {
        name: 'silence',
        code: 'LICENSE_IS_LACK',
        job: 'overdue-lock',
        duration: 4 * 3_600_000,
        author: 'ana',
        comment: 'c',
      },
    });
  });

  it('alerts unsilence <id> and alerts ack <job>/<code> [--for]', () => {
    expect(parse('alerts', 'unsilence', 's-1')).toMatchObject({ command: { name: 'unsilence', id: 's-1' } });
    expect(
      parse('alerts', 'ack', 'overdue-lock/LICENSE_IS_LACK', '--for', '1d', '--author', 'ben'),
    ).toMatchObject({
      command: {
        name: 'ack',
        job: 'overdue-lock',
        codeName: 'LICENSE_IS_LACK',
        duration: 86_400_000,
        author: 'ben',
      },
    });
  });

  it('--help and -h answer the usage', () => {
    expect(parse('--help')).toEqual({ kind: 'help' });
    expect(parse('alerts', 'list', '-h')).toEqual({ kind: 'help' });
    expect(ADMIN_USAGE).toContain('Exit codes');
  });

  it.each([
    [[], /a command is required/],
    [['alerts'], /alerts needs a command/],
    [['alerts', 'mute'], /unknown alerts command "mute"/],
    [['alerts', 'list', '--bogus'], /Unknown option '--bogus'/],
    [['alerts', 'list', '--stage'], /--stage <value>' argument missing/],
    [['alerts', 'list', 'extra'], /unexpected argument "extra"/],
    [['alerts', 'list', '--code', 'X'], /alerts list takes no --code/],
    [['alerts', 'list', '--table', 't'], /--table and --region need --stage/],
    [['alerts', 'list', '--stage', 'prod', '--state-dir', 'x'], /cannot be combined with --stage/],
    [['alerts', 'list', '--stage', 'prod;rm'], /a stage name is letters/],
    [['alerts', 'silence', '--for', '4h', '--comment', 'c'], /needs --code/],
    [['alerts', 'silence', '--code', 'X', '--comment', 'c'], /needs --for/],
    [['alerts', 'silence', '--code', 'X', '--for', '4h'], /needs --comment/],
    [['alerts', 'silence', '--code', 'X', '--for', '0s', '--comment', 'c'], /--for 0s/],
    [['alerts', 'unsilence'], /needs a silence id/],
    [['alerts', 'ack', 'LICENSE_IS_LACK'], /<job>\/<code>/],
    [['alerts', 'ack', 'a/B', '--for', '31d'], /at most 30d/],
  ])('%j is a usage error, not an exception', (argv, message) => {
    const parsed = parse(...argv);
    expect(parsed.kind).toBe('usage-error');
    expect(parsed.kind === 'usage-error' && parsed.message).toMatch(message);
  });
});
