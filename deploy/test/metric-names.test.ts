import { describe, expect, it } from 'vitest';
import { exportedFamilies, isExported, metricsInExpr } from './metric-names.js';

describe('metric names in PromQL', () => {
  it('reads the metrics, not functions, labels, durations or grouping lists', () => {
    expect(metricsInExpr('histogram_quantile(0.95, sum by (le, job) (rate(job_duration_seconds_bucket{job=~"a|b"}[5m])))')).toEqual(['job_duration_seconds_bucket']);
    expect(metricsInExpr('sum by (job) (increase(job_failed_total{status="dead_letter"}[15m])) > 0 and on (job) up == 1').sort()).toEqual(['job_failed_total', 'up']);
    expect(metricsInExpr('max(job_queue_size) > 1000')).toEqual(['job_queue_size']);
  });

  it('accepts a histogram\'s series and rejects unknown names', () => {
    const f = exportedFamilies('# HELP a x\n# TYPE job_duration_seconds histogram\n# TYPE job_success_total counter\n');
    expect(isExported('job_duration_seconds_bucket', f)).toBe(true);
    expect(isExported('job_success_total', f)).toBe(true);
    expect(isExported('job_success_total_bucket', f)).toBe(false);
    expect(isExported('job_missing_total', f)).toBe(false);
  });
});
