// The command line of the admin CLI (`npx knox-guard-sentinel alerts ...`), kept apart from the
// CLI so a bad command line is refused before any AWS client is built, and testable as data.

import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/alerts/parseDuration';

/** Exit codes: 0 done, 1 the command failed (AWS, not found, state busy), 2 a usage error. */
export const AdminExit = { ok: 0, failed: 1, usage: 2 } as const;

/** Which state table a command works on. */
export type AdminTarget =
  /** A deployed stack: its table through the AWS SDK and the usual credential chain. */
  | { readonly kind: 'stage'; readonly stage: string; readonly table?: string; readonly region?: string }
  /** The embedded default `npm start` uses: stage `local`, its state kept in `stateDir`. */
  | { readonly kind: 'local'; readonly stateDir: string };

export type AdminCommand =
  | { readonly name: 'list'; readonly json: boolean }
  | {
      readonly name: 'silence';
      readonly code: string;
      readonly job?: string;
      /** Milliseconds. */
      readonly duration: number;
      readonly author: string;
      readonly comment: string;
    }
  | { readonly name: 'unsilence'; readonly id: string }
  | {
      readonly name: 'ack';
      /** `<job>/<code>`, as `alerts list` shows it. */
      readonly job: string;
      readonly codeName: string;
      /** Milliseconds; `undefined`: until the group resolves. */
      readonly duration?: number;
      readonly author: string;
      readonly comment?: string;
    };

export type AdminArgs =
  | { readonly kind: 'run'; readonly target: AdminTarget; readonly command: AdminCommand }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/** Where `npm start` keeps its state table between runs, relative to the repository. */
export const DEFAULT_STATE_DIR = '.tmp/local-state';

export const ADMIN_USAGE = `Usage: npx knox-guard-sentinel alerts <command> [options]

Acts on the alerts of a deployed stage (--stage) or of the local stack \`npm start\` uses, without a
redeploy, as Alertmanager's amtool does.

Commands:
  list                       open alert groups: code, job, stage, severity, devices, age, marks
                             (silenced / acked), then the active silences
    --json                   print JSON instead of a table
  silence                    mute matching alerts for a while (jobs.yml silences keep working)
    --code <code>            required: LICENSE_IS_LACK, a numeric Knox code or HTTP_nnn
    --job <job>              only this job (default: every job of the stage)
    --for <duration>         required: 30m, 4h, 7d (at most 30d)
    --comment <text>         required: why (e.g. a ticket number)
    --author <name>          who (default: your user name)
  unsilence <id>             end a silence now: the next matching alert is sent
  ack <job>/<code>           acknowledge an open alert (tenant-wide/<code> for a tenant-wide one):
                             no reminders until it resolves (a new failure after that fires
                             again) or until --for ends
    --for <duration>         reminders resume after this (default: until it resolves)
    --comment <text>         optional note
    --author <name>          who (default: your user name)

Target (default: the local stack of \`npm start\`, stage local, state in ${DEFAULT_STATE_DIR}):
  --stage <name>             a deployed stage: table knox-guard-sentinel-<stage>-state through the
                             AWS SDK's credential chain (AWS_PROFILE, environment, SSO, ...)
  --table <name>             the state table's name, if not the one serverless.yml gives the stage
  --region <region>          the stack's region (default: serverless.yml's, eu-central-1)
  --state-dir <dir>          the local state directory (default ${DEFAULT_STATE_DIR})
  -h, --help                 show this help

Exit codes: 0 done; 1 the command failed (AWS error, no such alert or silence, state in use);
2 a usage error.
`;

const MAX_ACK_MS = 30 * 86_400_000;

/**
 * Parses the admin CLI's arguments (`node:util` parseArgs, strict): an unknown command or option, a
 * missing value or a bad duration is a usage error, never an exception.
 *
 * @param argv the arguments after the program name (process.argv.slice(2)).
 * @param defaults.author the author when `--author` is not given (the OS user name).
 * @example
 * parseAdminArgs(['alerts', 'silence', '--code', 'LICENSE_IS_LACK', '--for', '4h', '--comment', 'seats ordered'], { author: 'ana' });
 * // { kind: 'run', target: { kind: 'local', stateDir: '.tmp/local-state' }, command: { name: 'silence', code: 'LICENSE_IS_LACK', duration: 14400000, author: 'ana', comment: 'seats ordered' } }
 */
export function parseAdminArgs(argv: readonly string[], defaults: { author: string }): AdminArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    if ((error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      return usage((error as Error).message);
    }
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [group, name, ...rest] = positionals;
  if (group === undefined) return usage('a command is required');
  if (group !== 'alerts')
    return usage(`unknown command ${JSON.stringify(group)}; the commands are under "alerts"`);
  if (name === undefined) return usage('alerts needs a command: list, silence, unsilence or ack');

  if (values.stage === undefined && (values.table !== undefined || values.region !== undefined)) {
    return usage('--table and --region need --stage (without it the CLI works on the local stack)');
  }
  if (values.stage !== undefined && values['state-dir'] !== undefined) {
    return usage('--state-dir is for the local stack; it cannot be combined with --stage');
  }
  if (values.stage !== undefined && !/^[a-zA-Z0-9-]{1,40}$/.test(values.stage)) {
    return usage(`--stage ${values.stage}: a stage name is letters, digits and hyphens`);
  }
  const target: AdminTarget =
    values.stage === undefined
      ? { kind: 'local', stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR }
      : {
          kind: 'stage',
          stage: values.stage,
          ...(values.table === undefined ? {} : { table: values.table }),
          ...(values.region === undefined ? {} : { region: values.region }),
        };
  const author = values.author ?? defaults.author;
  const only = (allowed: readonly string[]) => {
    const extra = ['code', 'job', 'for', 'author', 'comment', 'json'].filter(
      (option) => !allowed.includes(option) && values[option as keyof typeof values] !== undefined,
    );
    return extra.length > 0 ? `alerts ${name} takes no --${extra.join(', --')}` : undefined;
  };
  const noPositionals = (count: number) =>
    rest.length > count ? `unexpected argument ${JSON.stringify(rest[count])}` : undefined;

  switch (name) {
    case 'list': {
      const problem = only(['json']) ?? noPositionals(0);
      if (problem) return usage(problem);
      return { kind: 'run', target, command: { name: 'list', json: values.json ?? false } };
    }
    case 'silence': {
      const problem = only(['code', 'job', 'for', 'author', 'comment']) ?? noPositionals(0);
      if (problem) return usage(problem);
      if (values.code === undefined) return usage('alerts silence needs --code');
      if (values.for === undefined) return usage('alerts silence needs --for (e.g. 4h)');
      if (values.comment === undefined) return usage('alerts silence needs --comment (why, e.g. a ticket)');
      const duration = parseDuration(values.for);
      if (duration === undefined || duration <= 0)
        return usage(`--for ${values.for}: expected a duration such as 30m, 4h or 7d`);
      return {
        kind: 'run',
        target,
        command: {
          name: 'silence',
          code: values.code,
          ...(values.job === undefined ? {} : { job: values.job }),
          duration,
          author,
          comment: values.comment,
        },
      };
    }
    case 'unsilence': {
      const problem = only([]) ?? noPositionals(1);
      if (problem) return usage(problem);
      const id = rest[0];
      if (id === undefined) return usage('alerts unsilence needs a silence id (alerts list shows them)');
      return { kind: 'run', target, command: { name: 'unsilence', id } };
    }
    case 'ack': {
      const problem = only(['for', 'author', 'comment']) ?? noPositionals(1);
      if (problem) return usage(problem);
      const ref = rest[0];
      // `tenant-wide/<code>` names the one group a tenant-wide code has across jobs (job `*`).
      const match = ref === undefined ? null : /^([a-z0-9][a-z0-9-]{0,62})\/([A-Za-z0-9_]+)$/.exec(ref);
      if (!match?.[1] || !match[2]) {
        return usage(
          'alerts ack needs the group as <job>/<code> or tenant-wide/<code>, e.g. tenant-wide/LICENSE_IS_LACK (alerts list shows them)',
        );
      }
      let duration: number | undefined;
      if (values.for !== undefined) {
        duration = parseDuration(values.for);
        if (duration === undefined || duration <= 0 || duration > MAX_ACK_MS) {
          return usage(`--for ${values.for}: expected a duration such as 30m, 4h or 7d (at most 30d)`);
        }
      }
      return {
        kind: 'run',
        target,
        command: {
          name: 'ack',
          job: match[1] === 'tenant-wide' ? '*' : match[1],
          codeName: match[2],
          ...(duration === undefined ? {} : { duration }),
          author,
          ...(values.comment === undefined ? {} : { comment: values.comment }),
        },
      };
    }
    default:
      return usage(
        `unknown alerts command ${JSON.stringify(name)}; the commands are list, silence, unsilence and ack`,
      );
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      stage: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      code: { type: 'string' },
      job: { type: 'string' },
      for: { type: 'string' },
      author: { type: 'string' },
      comment: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}

function usage(message: string): AdminArgs {
  return { kind: 'usage-error', message };
}
