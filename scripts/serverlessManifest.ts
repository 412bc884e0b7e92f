import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, parseDocument, type Tags } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A CloudFormation short-form intrinsic (`!Ref X`) as the manifest holds it. */
export interface Intrinsic {
  readonly tag: string;
  readonly value: unknown;
}

// CloudFormation's short-form tags, kept as `{ tag, value }` so serverless.yml and infra/*.yml parse
// with the `yaml` package; serverless variables (`${param:x}`) stay the text they are.
/** CloudFormation's short-form intrinsic function tags (`!Ref`, `!GetAtt`, ...), one list for every YAML reader here. */
export const CFN_TAG_NAMES = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'ImportValue',
  'FindInMap',
  'Base64',
  'GetAZs',
  'Condition',
  'Cidr',
];
const CFN_TAGS: Tags = CFN_TAG_NAMES.flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map(
    (kind) =>
      ({
        tag: `!${name}`,
        ...(kind === 'scalar' ? {} : { collection: kind }),
        resolve: (value: unknown): Intrinsic => ({
          tag: `!${name}`,
          value: (value as { toJSON?: () => unknown })?.toJSON?.() ?? value,
        }),
      }) as Tags[number],
  ),
);

/** True for a value parsed from a CloudFormation short-form tag. */
export function isIntrinsic(value: unknown): value is Intrinsic {
  return typeof value === 'object' && value !== null && 'tag' in value && 'value' in value;
}

/**
 * Parses a CloudFormation YAML fragment (infra/*.yml) with its short-form tags as {@link Intrinsic}s.
 *
 * @example
 * parseCloudFormationYaml('Value: !Ref AlertTopic'); // { Value: { tag: '!Ref', value: 'AlertTopic' } }
 */
export function parseCloudFormationYaml(text: string): unknown {
  const document = parseDocument(text, { customTags: CFN_TAGS });
  if (document.errors.length > 0) throw document.errors[0];
  return document.toJS();
}

/** The parts of serverless.yml the build and the docs read. */
export interface ServerlessManifest {
  readonly service: string;
  /** `params.default`, `params.<stage>`, ... as written (variables unresolved). */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `provider.environment` as written: text, or an {@link Intrinsic}. */
  readonly environment: Readonly<Record<string, unknown>>;
  /** Per function: its own `environment` entries. */
  readonly functionEnvironment: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The parsed document, comments included. */
  readonly document: Document;
}

/**
 * Parses serverless.yml with the `yaml` package, tolerating CloudFormation tags (`!Ref`,
 * `!GetAtt`, ...) and leaving serverless variables (`${param:x}`, `${sls:stage}`) as text.
 *
 * @example
 * const manifest = await readServerlessManifest();
 * manifest.params.prod?.schedulesState; // 'ENABLED'
 */
export async function readServerlessManifest(
  file = join(ROOT, 'serverless.yml'),
): Promise<ServerlessManifest> {
  const document = parseDocument(await readFile(file, 'utf8'), { customTags: CFN_TAGS });
  if (document.errors.length > 0) throw document.errors[0];
  const data = document.toJS() as {
    service: string;
    params?: Record<string, Record<string, unknown>>;
    provider?: { environment?: Record<string, unknown> };
    functions?: Record<string, { environment?: Record<string, unknown> }>;
  };
  const functionEnvironment: Record<string, Record<string, unknown>> = {};
  for (const [name, fn] of Object.entries(data.functions ?? {}))
    functionEnvironment[name] = fn.environment ?? {};
  return {
    service: data.service,
    params: data.params ?? {},
    environment: data.provider?.environment ?? {},
    functionEnvironment,
    document,
  };
}

/**
 * A stage's params as serverless merges them without command-line `--param`s: `params.default`,
 * then `params.<stage>` over it.
 *
 * @example
 * stageParams(manifest, 'prod').workerMaxConcurrency; // 11
 */
export function stageParams(manifest: ServerlessManifest, stage: string): Record<string, unknown> {
  return { ...manifest.params.default, ...manifest.params[stage] };
}
