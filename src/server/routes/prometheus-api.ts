// GET /metrics: Prometheus' text exposition of src/server/metrics/prometheus.ts. Admins only
// (metrics.read): runner names aside, the figures say how busy every project is. A scraper
// uses an admin's token with the read scope (`slipway tokens create prometheus --scope
// read`) as its bearer token.
import type { Router } from '../http/router.ts';
import type { PrometheusMetrics } from '../metrics/prometheus.ts';

export function registerPrometheusApi(router: Router, metrics: PrometheusMetrics): void {
  router.route({ method: 'GET', path: '/metrics', summary: "This server's metrics in Prometheus text format (admins)", permission: 'metrics.read' }, async ({ res }) => {
    const text = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(text);
  });
}
