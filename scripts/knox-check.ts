// `npm run knox:check`: checks a real Knox Guard tenant against docs/knox-api-contract.md before
// schedules are enabled. The logic is checkTenant (lib/knox/check); this file reads the options,
// the certificate file or the stage's credentials secret, prints the lines and writes the report.
// Exit codes: 0 every row that ran passed, 1 a row differs or failed, 2 usage or setup error.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CHECK_OPERATIONS,
  type CheckOperation,
  checkTenant,
  KNOX_REGIONS,
  KnoxCertificateError,
  KnoxRequestError,
  type OperationParams,
  renderCheckReport,
  type TenantCheckOptions,
  validateOperation,
} from '../lib/knox';
import { KnoxCheckSetupError } from '../lib/knox/check/KnoxCheckSetupError';
import { readCredentialsSecret } from '../lib/knox/check/readCredentialsSecret';
import { readServerlessManifest, stageParams } from './serverlessManifest';

const USAGE = `Usage:
  npm run knox:check -- --certificate ./certificate.json --client-id <id> (--region eu|us | --base-url <url>) [options]
  npm run knox:check -- --stage <stage> [--region <aws-region>] [--secret-id <id>] [options]

Credentials:
  --certificate <file>    certificate.json from the Knox API portal ({Public, Private})
  --client-id <id>        the API key's client identifier
  --stage <stage>         read the stage's credentials secret (serverless.yml param knoxCredentialsSecretId)
                          with the AWS credential chain; base URL and prefix from the stage's params
  --secret-id <id>        another secret name or ARN ({"clientIdentifier", "certificate"})
  --region <r>            eu | us: the Knox Guard host; an AWS region (eu-central-1): where the secret is
Target:
  --base-url <url>        Knox Guard host (overrides --region eu|us and the stage's knoxBaseUrl)
  --api-prefix <path>     default /kcs/v1.1/kg (Samsung's test environment: /kcs/v1.1/kg-integration)
Checks (read-only unless --device):
  --page-size <n>         devices in the one devices/list page (default 5)
  --licences              also GET the unverified licence list (what knoxUnverifiedLicenceApi calls)
  --device <deviceUid>    run ONE async operation on this device and poll its transaction
  --operation <op>        sendMessage (default: a one-off notice, no state change) | blink
  --message <text>        the text the device shows (default: a neutral test notice)
  --tel <phone> --email <address> --interval <n>   contact and interval (blink needs a contact)
  --timeout <seconds>     how long the transaction is polled (default 120)
Output:
  --out <file>            the JSON report (default knox-check-report.json)
  --help
Exit codes: 0 every row that ran passed, 1 a row differs or failed, 2 usage or setup error.`;

const DEFAULT_MESSAGE = 'A test notice from your device provider. No action is needed.';
const KNOX_REGION = /^(eu|us)$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A wrong or missing option: printed with the usage, exit 2. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: TenantCheckOptions;
  try {
    options = await buildOptions(values);
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    if (error instanceof KnoxCheckSetupError || error instanceof KnoxCertificateError) {
      process.stderr.write(`knox:check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let report: Awaited<ReturnType<typeof checkTenant>>;
  try {
    report = await checkTenant(options, { progress: (line) => process.stderr.write(`  ${line}\n`) });
  } catch (error) {
    if (error instanceof KnoxCertificateError) {
      process.stderr.write(`knox:check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const line of renderCheckReport(report)) process.stdout.write(`${line}\n`);
  const out = resolve(values.out ?? 'knox-check-report.json');
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`report: ${out}\n`);
  return report.exitCode;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      certificate: { type: 'string' },
      'client-id': { type: 'string' },
      stage: { type: 'string' },
      'secret-id': { type: 'string' },
      region: { type: 'string' },
      'base-url': { type: 'string' },
      'api-prefix': { type: 'string' },
      'page-size': { type: 'string' },
      licences: { type: 'boolean' },
      device: { type: 'string' },
      operation: { type: 'string' },
      message: { type: 'string' },
      tel: { type: 'string' },
      email: { type: 'string' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

async function buildOptions(values: Values): Promise<TenantCheckOptions> {
  const region = values.region;
  const knoxRegion = region !== undefined && KNOX_REGION.test(region) ? (region as 'eu' | 'us') : undefined;
  const awsRegion = region !== undefined && AWS_REGION.test(region) ? region : undefined;
  if (region !== undefined && knoxRegion === undefined && awsRegion === undefined)
    throw new UsageError(`--region must be eu, us or an AWS region (eu-central-1), not "${region}"`);
  let baseUrl = values['base-url'] ?? (knoxRegion === undefined ? undefined : KNOX_REGIONS[knoxRegion]);
  let apiPrefix = values['api-prefix'];
  let licences = values.licences === true;
  let credentials: Pick<TenantCheckOptions, 'clientIdentifier' | 'certificate' | 'credentialsSource'>;

  if (values.stage !== undefined) {
    if (values.certificate !== undefined || values['client-id'] !== undefined)
      throw new UsageError('--stage reads the credentials secret: leave out --certificate and --client-id');
    const manifest = await readServerlessManifest();
    const stage = values.stage;
    const params = stageParams(manifest, stage);
    const resolveParam = (name: string): string | undefined => {
      const value = params[name];
      if (value === undefined || value === '') return undefined;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless.yml's own variable syntax
      const text = String(value).replaceAll('${sls:stage}', stage);
      if (text.includes('${'))
        throw new UsageError(
          `serverless.yml param ${name} for stage ${stage} is "${text}": pass the value as an option`,
        );
      return text;
    };
    const secretId = values['secret-id'] ?? resolveParam('knoxCredentialsSecretId');
    if (secretId === undefined)
      throw new UsageError(`no knoxCredentialsSecretId for stage ${stage}: pass --secret-id`);
    const provider = (manifest.document.toJS() as { provider?: { region?: string } }).provider;
    // serverless.yml writes `${opt:region, 'eu-central-1'}`: its fallback is the stage's region.
    const written = provider?.region ?? '';
    const providerRegion = AWS_REGION.test(written) ? written : /'([a-z0-9-]+)'\s*}$/.exec(written)?.[1];
    const secretRegion =
      awsRegion ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      providerRegion ??
      'eu-central-1';
    const client = new SecretsManagerClient({ region: secretRegion });
    try {
      const secret = await readCredentialsSecret(client, secretId);
      credentials = {
        clientIdentifier: secret.clientIdentifier,
        certificate: secret.certificate,
        credentialsSource: `secret ${secretId} (${secretRegion}), stage ${stage}`,
      };
    } finally {
      client.destroy();
    }
    baseUrl ??= resolveParam('knoxBaseUrl');
    apiPrefix ??= resolveParam('knoxApiPrefix');
    licences ||= resolveParam('knoxUnverifiedLicenceApi') === 'true';
  } else {
    if (awsRegion !== undefined) throw new UsageError('an AWS region in --region needs --stage');
    if (values.certificate === undefined || values['client-id'] === undefined)
      throw new UsageError('give --certificate and --client-id, or --stage');
    let text: string;
    try {
      text = await readFile(values.certificate, 'utf8');
    } catch (error) {
      throw new KnoxCheckSetupError(`cannot read ${values.certificate}: ${(error as Error).message}`);
    }
    credentials = {
      clientIdentifier: values['client-id'],
      certificate: text,
      credentialsSource: 'certificate file',
    };
  }
  if (baseUrl === undefined) throw new UsageError('give --region eu|us or --base-url');
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
    throw new UsageError(`--base-url "${baseUrl}" is not an http(s) URL`);

  const device = values.device === undefined ? undefined : deviceOptions(values, values.device);
  const timeout = values.timeout === undefined ? undefined : positive(values.timeout, '--timeout');
  return {
    baseUrl,
    ...(apiPrefix === undefined ? {} : { apiPrefix }),
    ...credentials,
    ...(values['page-size'] === undefined ? {} : { pageSize: positive(values['page-size'], '--page-size') }),
    licences,
    ...(device === undefined ? {} : { device }),
    ...(timeout === undefined ? {} : { transactionTimeoutMs: timeout * 1000 }),
  };
}

function deviceOptions(values: Values, deviceUid: string): NonNullable<TenantCheckOptions['device']> {
  const operation = (values.operation ?? 'sendMessage') as CheckOperation;
  if (!CHECK_OPERATIONS.includes(operation))
    throw new UsageError(`--operation must be ${CHECK_OPERATIONS.join(' or ')}, not "${values.operation}"`);
  const params: OperationParams = {
    message: values.message ?? DEFAULT_MESSAGE,
    ...(values.tel === undefined ? {} : { tel: values.tel }),
    ...(values.email === undefined ? {} : { email: values.email }),
    ...(values.interval === undefined ? {} : { interval: positive(values.interval, '--interval') }),
  };
  try {
    // The same validation the client runs, before anything is sent.
    validateOperation(operation, [deviceUid], params);
  } catch (error) {
    if (error instanceof KnoxRequestError) throw new UsageError(error.message);
    throw error;
  }
  return { deviceUid, operation, params };
}

function positive(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${option} must be a positive integer, not "${text}"`);
  return value;
}

function usage(message: string): number {
  process.stderr.write(`knox:check: ${message}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // checkTenant turns every answer into a row; reaching here is a bug, reported without secrets.
    process.stderr.write(
      `knox:check: unexpected ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
