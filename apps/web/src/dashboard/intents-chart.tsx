import type { TIntentStats } from '@orbitdesk/shared';
import type { ApexOptions } from 'apexcharts';
import { useMemo } from 'react';
import Chart from 'react-apexcharts';
import { INTENT_COLORS, INTENT_LABELS } from '../ai/ai-labels';
import { intentSeries } from './intent-stats';
import { useDarkTheme } from './use-dark-theme';

/** Classified inbound messages by intent, one coloured bar each, in the app's light or dark colours. */
export function IntentsChart({ stats }: { stats: TIntentStats }) {
  const dark = useDarkTheme();
  const series = useMemo(() => intentSeries(stats), [stats]);
  // Counts are whole numbers: with few messages, ticks one apart up to the largest count (not 0, 0.4, 0.8 …).
  const maxCount = Math.max(1, ...series.map((s) => s.count));
  const options = useMemo<ApexOptions>(
    () => ({
      chart: {
        id: 'intents-30d',
        toolbar: { show: false },
        background: 'transparent',
        foreColor: dark ? '#cbd5e1' : '#475569',
        fontFamily: 'inherit',
      },
      theme: { mode: dark ? 'dark' : 'light' },
      plotOptions: { bar: { horizontal: true, distributed: true, borderRadius: 3, barHeight: '70%' } },
      colors: series.map((s) => INTENT_COLORS[s.intent].hex),
      dataLabels: { enabled: false },
      legend: { show: false },
      grid: { borderColor: dark ? '#1e293b' : '#e2e8f0' },
      xaxis: {
        categories: series.map((s) => INTENT_LABELS[s.intent]),
        ...(maxCount <= 5 ? { min: 0, max: maxCount, tickAmount: maxCount } : {}),
        labels: { formatter: (v: string) => String(Math.round(Number(v))) },
      },
      tooltip: { theme: dark ? 'dark' : 'light' },
    }),
    [dark, series, maxCount],
  );
  return (
    <div data-testid="intents-chart" data-theme={dark ? 'dark' : 'light'}>
      <Chart
        type="bar"
        height={280}
        options={options}
        series={[{ name: 'Messages', data: series.map((s) => s.count) }]}
      />
    </div>
  );
}
