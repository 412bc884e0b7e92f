// `npm run docs:dashboard`: renders the CloudWatch dashboard of infra/dashboard.yml (stage prod)
// to docs/dashboard.svg, the picture docs/dashboard.md shows. No AWS call: the widget grid,
// titles, metric labels and annotations come from the dashboard body itself; the lines are SAMPLE
// DATA from a fixed seed (a seeded generator per series), so the picture is the same on every run
// and test/unit/scripts/renderDashboard.test.ts compares the committed file with a fresh render.
// Body structure: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertKind, SuppressReason } from '../lib/alerts/constants';
import { loadJobsConfig } from '../lib/config';
import { knoxCode } from '../lib/errors';
import { parseScriptArgs } from './parseScriptArgs';
import { parseCloudFormationYaml, readServerlessManifest, stageParams } from './serverlessManifest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** One widget of a dashboard body (the fields this project uses). */
export interface DashboardWidget {
  readonly type: 'metric' | 'text' | string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly region?: string;
    readonly stat?: string;
    readonly period?: number;
    readonly metrics?: readonly (readonly unknown[])[];
    readonly annotations?: { readonly horizontal?: readonly { label?: string; value: number }[] };
  };
}

/** A dashboard body: `{"widgets": [...]}`. */
export interface DashboardBody {
  readonly widgets: readonly DashboardWidget[];
}

/**
 * One metric a widget plots: an explicit metric row (`[namespace, name, dim, value, ..., {opts}]`)
 * or a SEARCH expression (`{namespace,dim,...} MetricName="name" dim="value"`), whose dimension
 * values are `undefined` where the search leaves them open (one line per value found).
 */
export interface MetricRef {
  readonly widget: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string | undefined>>;
  readonly search: boolean;
  readonly label?: string;
  readonly stat?: string;
}

const SEARCH = /^SEARCH\('\{([^}]*)\}\s+MetricName="([^"]+)"((?:\s+[\w.-]+="[^"]*")*)'/;

/**
 * Every metric the body's widgets reference. Throws on a metric row or expression it cannot read,
 * so a widget nobody can check never passes silently.
 *
 * @example
 * metricRefsOf(body).filter((ref) => ref.namespace === 'AWS/SQS').map((ref) => ref.dimensions.QueueName);
 */
export function metricRefsOf(body: DashboardBody): MetricRef[] {
  const refs: MetricRef[] = [];
  for (const widget of body.widgets) {
    const title = widget.properties.title ?? '(untitled)';
    for (const row of widget.properties.metrics ?? []) {
      const last = row[row.length - 1];
      const options =
        typeof last === 'object' && last !== null ? (last as Record<string, unknown>) : undefined;
      const fields = options ? row.slice(0, -1) : row;
      if (fields.length === 0 && typeof options?.expression === 'string') {
        const match = SEARCH.exec(options.expression);
        if (!match) throw new Error(`${title}: cannot read the expression ${options.expression}`);
        const [namespace = '', ...keys] = (match[1] ?? '').split(',').map((part) => part.trim());
        const values = Object.fromEntries(
          [...(match[3] ?? '').matchAll(/([\w.-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
        );
        refs.push({
          widget: title,
          namespace,
          name: match[2] ?? '',
          dimensions: Object.fromEntries(keys.map((key) => [key, values[key]])),
          search: true,
        });
        continue;
      }
      if (fields.length < 2 || fields.length % 2 !== 0 || !fields.every((f) => typeof f === 'string')) {
        throw new Error(`${title}: cannot read the metric row ${JSON.stringify(row)}`);
      }
      const [namespace, name, ...pairs] = fields as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      refs.push({
        widget: title,
        namespace: namespace as string,
        name: name as string,
        dimensions,
        search: false,
        ...(typeof options?.label === 'string' ? { label: options.label } : {}),
        ...(typeof options?.stat === 'string' ? { stat: options.stat } : {}),
      });
    }
  }
  return refs;
}

/**
 * infra/dashboard.yml's body for `stage`, with the serverless variables it uses filled in as
 * `serverless package` would (`${self:service}`, `${sls:stage}`, `${aws:region}` = the provider
 * default, `${param:x}` from serverless.yml). Throws on any other variable.
 *
 * @example
 * const body = await loadDashboardBody('prod'); body.widgets.length; // 12
 */
export async function loadDashboardBody(stage: string, region = 'eu-central-1'): Promise<DashboardBody> {
  const manifest = await readServerlessManifest();
  const params = stageParams(manifest, stage);
  const infra = parseCloudFormationYaml(await readFile(join(ROOT, 'infra/dashboard.yml'), 'utf8')) as {
    Resources: Record<string, { Properties: { DashboardBody: string } }>;
  };
  const text = Object.values(infra.Resources)[0]?.Properties.DashboardBody ?? '';
  const resolved = text.replace(/\$\{([a-z]+):([^}]*)\}/g, (whole, source: string, key: string) => {
    if (source === 'self' && key === 'service') return manifest.service;
    if (source === 'sls' && key === 'stage') return stage;
    if (source === 'aws' && key === 'region') return region;
    if (source === 'param' && key in params) return String(params[key]);
    throw new Error(`infra/dashboard.yml: cannot resolve ${whole}`);
  });
  return JSON.parse(resolved) as DashboardBody;
}

// ---- rendering ----------------------------------------------------------------------------------

const COL = 44;
const ROW = 34;
const PAD = 16;
const HEADER = 40;
const POINTS = 24; // 2 hours of 5-minute periods
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Sample dimension values for open SEARCH dimensions: names this project really uses. */
export interface SampleValues {
  readonly job: readonly string[];
  readonly code: readonly string[];
  readonly kind: readonly string[];
  readonly reason: readonly string[];
}

/** The sample values: jobs from config/jobs.yml, frequent Knox codes, every alert kind and reason. */
export async function sampleValues(): Promise<SampleValues> {
  const jobs = loadJobsConfig(await readFile(join(ROOT, 'config/jobs.yml'), 'utf8'), 'prod');
  const deviceJobs = [...jobs.jobs.values()].filter((job) => job.operation !== 'licence-health');
  return {
    job: deviceJobs.slice(0, 3).map((job) => job.name),
    code: [knoxCode('LICENSE_IS_LACK'), knoxCode('DEVICE_STATE_INVALID'), knoxCode('DEVICE_NOT_FOUND')].map(
      (entry) => entry.codeName,
    ),
    kind: Object.values(AlertKind),
    reason: [SuppressReason.silenced, SuppressReason.inhibited, SuppressReason.notifiedRecently],
  };
}

/** mulberry32: a small seeded generator, so every series has its own fixed sample line. */
function seeded(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state, 31) + char.charCodeAt(0)) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sample line whose scale suits the metric (DLQs mostly empty, latencies in ms, ...). */
function sampleSeries(ref: MetricRef, seriesKey: string): number[] {
  const random = seeded(seriesKey);
  const scale: Record<string, number> = {
    DevicesSucceeded: 900,
    DevicesFailed: 40,
    DeviceFailures: 20,
    AlertsSent: 3,
    AlertsSuppressed: 6,
    KnoxRequests: ref.dimensions.status === '2xx' ? 600 : 8,
    KnoxRequestLatency: ref.stat === 'p99' ? 1400 : ref.stat === 'p90' ? 800 : 350,
    ApproximateAgeOfOldestMessage: 1500,
    ApproximateNumberOfMessagesVisible: /dlq/.test(ref.dimensions.QueueName ?? '') ? 2 : 30,
    ApproximateNumberOfMessagesNotVisible: 6,
    ConcurrentExecutions: 6,
    Invocations: 40,
    Errors: 1.5,
    Throttles: 1,
  };
  const top = scale[ref.name] ?? 10;
  // Sparse metrics (errors, DLQs, 429s) are mostly zero with a bump: what a real incident looks like.
  const sparse = top <= 8;
  return Array.from({ length: POINTS }, (_, i) => {
    const wave = 0.55 + 0.35 * Math.sin((i + random() * 3) / 3.5);
    if (sparse) return i > 14 && i < 19 ? Math.round(top * random()) : 0;
    return Math.round(top * wave * (0.8 + 0.4 * random()));
  });
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The lines a widget shows: open SEARCH dimensions expanded over the sample values. */
function seriesOf(
  ref: MetricRef,
  samples: SampleValues,
  named: boolean,
): { label: string; ref: MetricRef }[] {
  if (!ref.search) return [{ label: ref.label ?? ref.name, ref }];
  let rows: Record<string, string>[] = [{}];
  const open: string[] = [];
  for (const [key, value] of Object.entries(ref.dimensions)) {
    const options = value === undefined ? samples[key as keyof SampleValues] : [value];
    // A dimension with one value per stack (service) stays open: one line, no label part.
    if (options === undefined) continue;
    if (value === undefined) open.push(key);
    const shown = options.slice(0, key === 'code' ? 3 : 4);
    rows = rows.flatMap((row) => shown.map((option) => ({ ...row, [key]: option })));
  }
  return rows.map((row) => ({
    label: [...(named ? [ref.name] : []), ...open.map((key) => row[key])].join(' '),
    ref: { ...ref, dimensions: row },
  }));
}

function renderMetricWidget(
  widget: DashboardWidget,
  samples: SampleValues,
  x0: number,
  y0: number,
  w: number,
  h: number,
) {
  const refs = metricRefsOf({ widgets: [widget] });
  // Like CloudWatch's SEARCH labels: the dimension values, and the metric name where a widget has several.
  const series = refs.flatMap((ref) => seriesOf(ref, samples, refs.length > 1));
  const legendRows: { label: string; color: string; x: number; row: number }[] = [];
  let cursor = 0;
  let row = 0;
  const legendWidth = w - 16;
  series.forEach((s, i) => {
    const width = 14 + s.label.length * 5.6;
    if (cursor > 0 && cursor + width > legendWidth) {
      row += 1;
      cursor = 0;
    }
    legendRows.push({ label: s.label, color: PALETTE[i % PALETTE.length] as string, x: cursor, row });
    cursor += width + 10;
  });
  const legendHeight = (row + 1) * 13 + 6;
  const chart = { x: x0 + 40, y: y0 + 30, w: w - 52, h: h - 40 - legendHeight };
  const values = series.map((s) => sampleSeries(s.ref, `${widget.properties.title}|${s.label}`));
  const annotations = widget.properties.annotations?.horizontal ?? [];
  const max = Math.max(1, ...values.flat(), ...annotations.map((a) => a.value * 1.15));
  const px = (i: number) => chart.x + (chart.w * i) / (POINTS - 1);
  const py = (v: number) => chart.y + chart.h - (chart.h * v) / max;
  const out: string[] = [];
  out.push(
    `<line x1="${chart.x}" y1="${chart.y + chart.h}" x2="${chart.x + chart.w}" y2="${chart.y + chart.h}" stroke="#aab7b8"/>`,
    `<text x="${chart.x - 4}" y="${chart.y + 4}" class="axis" text-anchor="end">${formatValue(max)}</text>`,
    `<text x="${chart.x - 4}" y="${chart.y + chart.h}" class="axis" text-anchor="end">0</text>`,
  );
  for (const annotation of annotations) {
    const y = py(annotation.value).toFixed(1);
    out.push(
      `<line x1="${chart.x}" y1="${y}" x2="${chart.x + chart.w}" y2="${y}" stroke="#d62728" stroke-dasharray="4 3"/>`,
      `<text x="${chart.x + chart.w - 2}" y="${Number(y) - 3}" class="axis" text-anchor="end" fill="#d62728">${xml(annotation.label ?? '')} ${formatValue(annotation.value)}</text>`,
    );
  }
  values.forEach((line, i) => {
    const points = line.map((v, j) => `${px(j).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    out.push(
      `<polyline points="${points}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.6"/>`,
    );
  });
  const legendY = chart.y + chart.h + 14;
  for (const entry of legendRows) {
    const lx = x0 + 8 + entry.x;
    const ly = legendY + entry.row * 13;
    out.push(
      `<rect x="${lx.toFixed(1)}" y="${ly - 8}" width="9" height="9" fill="${entry.color}"/>`,
      `<text x="${(lx + 13).toFixed(1)}" y="${ly}" class="legend">${xml(entry.label)}</text>`,
    );
  }
  return out.join('\n');
}

function formatValue(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));
}

/**
 * The dashboard as an SVG picture: the widget grid (24 columns), titles, text widgets, legends
 * with each metric's label (SEARCH lines expanded over `samples`), annotations, and sample lines,
 * marked SAMPLE DATA. Deterministic: the same body and samples give the same bytes.
 *
 * @example
 * await writeFile('docs/dashboard.svg', renderDashboardSvg(await loadDashboardBody('prod'), await sampleValues(), 'prod'));
 */
export function renderDashboardSvg(body: DashboardBody, samples: SampleValues, stage: string): string {
  const rows = Math.max(...body.widgets.map((w) => w.y + w.height));
  const width = PAD * 2 + 24 * COL;
  const height = HEADER + PAD + rows * ROW + PAD;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="title">`,
    `<title id="title">CloudWatch dashboard knox-guard-sentinel-${xml(stage)}, sample data</title>`,
    '<style>.title{font-size:13px;font-weight:bold;fill:#16191f}.legend{font-size:10px;fill:#545b64}.axis{font-size:9px;fill:#687078}.text{font-size:12px;fill:#16191f}</style>',
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    `<text x="${PAD}" y="26" class="title" font-size="16">CloudWatch dashboard knox-guard-sentinel-${xml(stage)} (infra/dashboard.yml)</text>`,
    `<text x="${width - PAD}" y="26" class="title" fill="#d62728" text-anchor="end">SAMPLE DATA (seeded), not from a deployed stack</text>`,
  ];
  for (const widget of body.widgets) {
    const x0 = PAD + widget.x * COL + 3;
    const y0 = HEADER + widget.y * ROW + 3;
    const w = widget.width * COL - 6;
    const h = widget.height * ROW - 6;
    parts.push(`<g><rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#ffffff" stroke="#d5dbdb"/>`);
    if (widget.type === 'text') {
      const lines = (widget.properties.markdown ?? '').split('\n');
      lines.forEach((line, i) => {
        const heading = line.startsWith('# ');
        parts.push(
          `<text x="${x0 + 10}" y="${y0 + 20 + i * 18}" class="${heading ? 'title' : 'text'}">${xml(line.replace(/^# /, ''))}</text>`,
        );
      });
    } else {
      parts.push(
        `<text x="${x0 + 8}" y="${y0 + 18}" class="title">${xml(widget.properties.title ?? '')}</text>`,
      );
      parts.push(renderMetricWidget(widget, samples, x0, y0, w, h));
    }
    parts.push('</g>');
  }
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** The picture docs/dashboard.md embeds: stage prod's dashboard with the sample values. */
export async function renderDocsDashboard(): Promise<string> {
  return renderDashboardSvg(await loadDashboardBody('prod'), await sampleValues(), 'prod');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  parseScriptArgs({}, 'usage: npm run docs:dashboard');
  const file = join(ROOT, 'docs/dashboard.svg');
  await writeFile(file, await renderDocsDashboard());
  console.info(`wrote ${file}`);
}
