// Delivery metrics (DORA) of one project and environment over 30 or 90 days, from
// GET /api/projects/:p/metrics — the same figures `slipway metrics` prints.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, enc } from '../api.ts';
import { ErrorBox, Loading, Section } from '../components.tsx';
import { getServing } from '../data.ts';
import { useLive } from '../events.ts';
import { seconds } from '../format.ts';
import { useLoad } from '../load.ts';
import type { Location } from '../router.ts';
import type { Metrics } from '../types.ts';
import { ProjectTabs } from './project-tabs.tsx';

function Chart({ m }: { m: Metrics }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const xs = m.series.map((s) => Date.parse(`${s.date}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(320, box.current.clientWidth),
        height: 240,
        series: [
          {},
          { label: 'deployments', stroke: '#2f7d32', fill: 'rgba(47,125,50,0.15)', paths: uPlot.paths.bars!({ size: [0.6] }) },
          { label: 'failures', stroke: '#c62828', fill: 'rgba(198,40,40,0.25)', paths: uPlot.paths.bars!({ size: [0.3] }) },
          { label: 'lead time (median, s)', stroke: '#1565c0', scale: 's', value: (_u, v) => seconds(v) },
        ],
        axes: [{}, { label: 'per day' }, { side: 1, scale: 's', label: 'lead time', values: (_u, vals) => vals.map((v) => seconds(v)) }],
      },
      [xs, m.series.map((s) => s.deployments), m.series.map((s) => s.failures), m.series.map((s) => s.lead_time_seconds_median)],
      box.current,
    );
    return () => plot.destroy();
  }, [m]);
  return <div ref={box} class="chart" />;
}

export function MetricsPage({ project, loc }: { project: string; loc: Location }) {
  const days = loc.query.get('days') === '90' ? 90 : 30;
  const envs = useLoad(() => getServing(project), [project]);
  const names = envs.data?.map((s) => s.environment) ?? [];
  const env = loc.query.get('env') ?? (names.includes('production') ? 'production' : names[0]);
  const data = useLoad(async () => (env ? api<Metrics>(`/api/projects/${enc(project)}/metrics?environment=${enc(env)}&days=${days}`) : undefined), [project, env, days]);
  useLive((e) => e.project === project && e.type === 'deployment-updated', data.reload, [project, env, days]);
  const m = data.data;
  const link = (e: string | undefined, d: number) => `/p/${project}/metrics?env=${enc(e ?? '')}&days=${d}`;
  return (
    <main>
      <ProjectTabs project={project} />
      <nav class="filters">
        {names.map((n) => (
          <a key={n} href={link(n, days)} class={n === env ? 'here' : ''}>
            {n}
          </a>
        ))}
        <span class="sep" />
        {[30, 90].map((d) => (
          <a key={d} href={link(env, d)} class={d === days ? 'here' : ''}>
            {d} days
          </a>
        ))}
      </nav>
      <ErrorBox error={data.error ?? envs.error} />
      {!envs.data ? (
        <Loading />
      ) : !env ? (
        <p class="muted">No deployments yet: metrics start with the first one.</p>
      ) : !m ? (
        <Loading />
      ) : (
        <>
          <div class="figures" data-testid="metrics">
            <div class="figure" data-metric="deployment_frequency">
              <b>{m.deployment_frequency.per_week.toFixed(2)}</b> per week
              <span class="muted">deployment frequency ({m.deployment_frequency.total} in {m.days} days)</span>
            </div>
            <div class="figure" data-metric="lead_time">
              <b>{seconds(m.lead_time_seconds.median)}</b> median, {seconds(m.lead_time_seconds.p90)} p90
              <span class="muted">lead time for changes (commit → serving)</span>
            </div>
            <div class="figure" data-metric="change_failure_rate">
              <b>{m.change_failure_rate === null ? '—' : `${(m.change_failure_rate * 100).toFixed(1)} %`}</b>
              <span class="muted">change failure rate</span>
            </div>
            <div class="figure" data-metric="time_to_restore">
              <b>{seconds(m.time_to_restore_seconds.median)}</b>
              <span class="muted">time to restore (median)</span>
            </div>
          </div>
          <Section title={`${m.environment}, last ${m.days} days`}>
            <Chart m={m} />
          </Section>
        </>
      )}
    </main>
  );
}
