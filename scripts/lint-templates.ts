// `npm run lint:templates`: packages the stack for every stage serverless.yml defines and checks
// each CloudFormation template with cfn-lint, AWS's linter (it validates against the published
// resource schemas, so a template it passes is one CloudFormation accepts). .ci/run runs it.
// Settings and the checks left out, each with its reason: .cfnlintrc.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { buildFunctions } from './build';
import { PackageError, packageService } from './package';
import { parseScriptArgs } from './parseScriptArgs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** cfn-lint is missing or unusable; the message says how to install it. */
export class CfnLintUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CfnLintUnavailableError';
  }
}

/** One finding of `cfn-lint --format json`. */
export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational' | string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Path?: readonly (string | number)[] };
}

export interface StageLintResult {
  readonly stage: string;
  readonly template: string;
  readonly errors: number;
  readonly warnings: number;
  readonly informational: number;
  readonly matches: readonly CfnLintMatch[];
}

/**
 * The stages serverless.yml defines: the keys of its `params` block other than `default`, in file
 * order. Adding a stage there adds it to the check; nothing else lists them.
 *
 * @example
 * stagesOf('params:\n  default: {}\n  dev: {}\n  prod: {}\n'); // ['dev', 'prod']
 */
export function stagesOf(serverlessYml: string): string[] {
  // CloudFormation short forms (!GetAtt, !Ref) are unknown YAML tags here: warnings, not errors.
  const doc = parseYaml(serverlessYml, { logLevel: 'error' }) as { params?: Record<string, unknown> } | null;
  const params = doc?.params;
  if (params === undefined || params === null || typeof params !== 'object') {
    throw new Error('serverless.yml has no params block: no stage to check');
  }
  const stages = Object.keys(params).filter((key) => key !== 'default');
  if (stages.length === 0) throw new Error('serverless.yml params name no stage besides default');
  return stages;
}

/**
 * Counts a cfn-lint JSON report by level.
 *
 * @example
 * countLevels([{ Level: 'Error', Message: '...', Rule: { Id: 'E3006' } }]); // { errors: 1, warnings: 0, informational: 0 }
 */
export function countLevels(matches: readonly CfnLintMatch[]) {
  return {
    errors: matches.filter((m) => m.Level === 'Error').length,
    warnings: matches.filter((m) => m.Level === 'Warning').length,
    informational: matches.filter((m) => m.Level === 'Informational').length,
  };
}

/**
 * Resolves with cfn-lint's version line; rejects with a `CfnLintUnavailableError` that says how
 * to install it when `command` cannot be run. CI machines ship cfn-lint; a laptop may not.
 *
 * @example
 * await requireCfnLint(); // 'cfn-lint 1.51.0'
 */
export async function requireCfnLint(command = 'cfn-lint'): Promise<string> {
  let result: { code: number | null; stdout: string; stderr: string };
  try {
    result = await run(command, ['--version'], ROOT);
  } catch (error) {
    throw new CfnLintUnavailableError(
      `${command} is not installed or not on PATH (${(error as Error).message}). The template check needs AWS's ` +
        'CloudFormation linter: `pipx install cfn-lint==1.51.0` (or `pip install --user cfn-lint==1.51.0`), then run `npm run lint:templates` again.',
      { cause: error },
    );
  }
  if (result.code !== 0) {
    throw new CfnLintUnavailableError(
      `${command} --version exited with ${result.code}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout.trim();
}

/**
 * Runs cfn-lint (with the repository's .cfnlintrc) on one template and parses its findings.
 *
 * @example
 * const matches = await cfnLint('.serverless-stages/prod/cloudformation-template-update-stack.json');
 */
export async function cfnLint(template: string, command = 'cfn-lint'): Promise<CfnLintMatch[]> {
  const { code, stdout, stderr } = await run(
    command,
    ['--config-file', join(ROOT, '.cfnlintrc'), '--format', 'json', '--', template],
    ROOT,
  );
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a
  // failure of cfn-lint itself, whose output is then no report.
  if (code === 1 || stdout.trim() === '') {
    if (code === 0) return [];
    throw new Error(`cfn-lint failed on ${template} (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  }
  return JSON.parse(stdout) as CfnLintMatch[];
}

/**
 * Packages every stage into `.serverless-stages/<stage>` (not under .serverless/, which the CLI copies into it) (the bundles built once, first) and lints
 * each template. Resolves with the per-stage results; the caller decides what fails.
 *
 * @example
 * for (const r of await lintAllStages()) console.log(r.stage, r.errors, r.warnings);
 */
export async function lintAllStages(
  options: { stages?: readonly string[]; outRoot?: string } = {},
): Promise<StageLintResult[]> {
  const stages = options.stages ?? stagesOf(await readFile(join(ROOT, 'serverless.yml'), 'utf8'));
  const outRoot = resolve(options.outRoot ?? join(ROOT, '.serverless-stages'));
  await buildFunctions();
  const results: StageLintResult[] = [];
  // One stage at a time: the CLI is heavy and the machines are small.
  for (const stage of stages) {
    const packaged = await packageService({ stage, outdir: join(outRoot, stage), skipBuild: true });
    const matches = await cfnLint(packaged.template);
    results.push({ stage, template: packaged.template, ...countLevels(matches), matches });
  }
  return results;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

async function main(): Promise<void> {
  const version = await requireCfnLint();
  const config = await readFile(join(ROOT, '.cfnlintrc'), 'utf8');
  const ignored = ((parseYaml(config) as { ignore_checks?: string[] }).ignore_checks ?? []).join(', ');
  console.log(`${version}; checks ignored in .cfnlintrc (reasons there): ${ignored || 'none'}`);
  const results = await lintAllStages();
  let failed = false;
  for (const r of results) {
    const ok = r.errors === 0 && r.warnings === 0;
    failed ||= !ok;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${r.stage.padEnd(6)} ${r.errors} error(s), ${r.warnings} warning(s), ${r.informational} informational  ${relative(ROOT, r.template)}`,
    );
    for (const m of r.matches) {
      console.log(`       ${m.Level} ${m.Rule.Id} ${(m.Location?.Path ?? []).join('/')}: ${m.Message}`);
    }
  }
  if (failed) {
    console.error('cfn-lint: fix the findings above, or list a warning in .cfnlintrc with the reason.');
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  parseScriptArgs({}, 'usage: npm run lint:templates');
  try {
    await main();
  } catch (error) {
    if (error instanceof PackageError) console.error(error.output);
    console.error(`lint:templates: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
