import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs` for the repo's scripts, strict: an unknown flag, a flag without its value
 * or a stray positional prints one line and the usage to stderr and exits 2 (the usual code for a
 * usage error), instead of a `TypeError` stack or a silently ignored typo.
 *
 * @param options the flags the script takes, as `parseArgs` declares them
 * @param usage one line such as `usage: npm run package -- [--stage <name>]`
 * @param argv the arguments after the script name (default `process.argv.slice(2)`)
 * @returns the parsed flag values
 * @example
 * const { stage } = parseScriptArgs({ stage: { type: 'string' } }, 'usage: npm run package -- [--stage <name>]');
 */
export function parseScriptArgs<const T extends Options>(
  options: T,
  usage: string,
  argv: readonly string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
