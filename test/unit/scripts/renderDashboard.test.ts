import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  type DashboardBody,
  loadDashboardBody,
  metricRefsOf,
  renderDashboardSvg,
  renderDocsDashboard,
  sampleValues,
} from '../../../scripts/render-dashboard';

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('dashboard picture (npm run docs:dashboard)', () => {
  it('docs/dashboard.svg is what the renderer draws from infra/dashboard.yml now', async () => {
    const committed = await readFile(new URL('../../../docs/dashboard.svg', import.meta.url), 'utf8');
    expect(await renderDocsDashboard(), 'docs/dashboard.svg is stale: run npm run docs:dashboard').toBe(
      committed,
    );
  });

  it('shows every widget title and every explicit metric label, marked as sample data', async () => {
    const body = await loadDashboardBody('prod');
    const svg = renderDashboardSvg(body, await sampleValues(), 'prod');
    expect(svg).toContain('SAMPLE DATA');
    for (const widget of body.widgets) {
      if (widget.properties.title) expect(svg).toContain(xmlText(widget.properties.title));
    }
    for (const ref of metricRefsOf(body)) if (ref.label) expect(svg).toContain(xmlText(ref.label));
    // SEARCH lines are drawn per sample value: a job from config/jobs.yml and a Knox code.
    expect(svg).toContain('class="legend">overdue-lock LICENSE_IS_LACK<');
    expect(svg).toContain('class="legend">DevicesFailed overdue-lock<');
    expect(svg).toContain('class="legend">silenced<');
  });

  it('fills in the stage, the service, the region and the params', async () => {
    const body = await loadDashboardBody('dev', 'eu-west-1');
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/\$\{/);
    expect(text).toContain('knox-guard-sentinel-dev-operations-dlq');
    expect(body.widgets.find((w) => w.properties.region)?.properties.region).toBe('eu-west-1');
    const age = body.widgets.find((w) => w.properties.title?.startsWith('Age of oldest message'));
    expect(age?.properties.annotations?.horizontal?.[0]?.value).toBe(3600);
  });
});

describe('metricRefsOf', () => {
  const widget = (metrics: unknown[][]): DashboardBody => ({
    widgets: [{ type: 'metric', x: 0, y: 0, width: 6, height: 6, properties: { title: 'w', metrics } }],
  });

  it('reads SEARCH schemas (open and fixed dimensions) and explicit rows with their options', () => {
    const refs = metricRefsOf(
      widget([
        [
          {
            expression: `SEARCH('{NS,service,stage,job} MetricName="DevicesFailed" stage="ci"', 'Sum', 300)`,
            id: 'e1',
          },
        ],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', 'q', { label: 'Q', stat: 'Maximum' }],
      ]),
    );
    expect(refs).toEqual([
      {
        widget: 'w',
        namespace: 'NS',
        name: 'DevicesFailed',
        dimensions: { service: undefined, stage: 'ci', job: undefined },
        search: true,
      },
      {
        widget: 'w',
        namespace: 'AWS/SQS',
        name: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: 'q' },
        search: false,
        label: 'Q',
        stat: 'Maximum',
      },
    ]);
  });

  it('refuses what it cannot read, so no widget escapes the template test', () => {
    expect(() => metricRefsOf(widget([[{ expression: 'METRICS()', id: 'e1' }]]))).toThrow(/cannot read/);
    expect(() => metricRefsOf(widget([['AWS/SQS', 'X', 'QueueName']]))).toThrow(/cannot read/);
  });
});
