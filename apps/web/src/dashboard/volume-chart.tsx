import type { TDashboardResponse } from '@orbitdesk/shared';
import type { ApexOptions } from 'apexcharts';
import { useMemo } from 'react';
import Chart from 'react-apexcharts';
import { useDarkTheme } from './use-dark-theme';

const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', timeZone: 'UTC' });

/** The last seven UTC days of inbound and outbound messages, in the app's light or dark colours. */
export function VolumeChart({ volume }: { volume: TDashboardResponse['volume7d'] }) {
  const dark = useDarkTheme();
  const options = useMemo<ApexOptions>(
    () => ({
      chart: {
        id: 'volume-7d',
        toolbar: { show: false },
        zoom: { enabled: false },
        background: 'transparent',
        foreColor: dark ? '#cbd5e1' : '#475569',
        fontFamily: 'inherit',
      },
      theme: { mode: dark ? 'dark' : 'light' },
      colors: ['#2563eb', '#10b981'],
      dataLabels: { enabled: false },
      stroke: { curve: 'smooth', width: 2 },
      fill: { type: 'gradient', gradient: { opacityFrom: 0.35, opacityTo: 0.05 } },
      grid: { borderColor: dark ? '#1e293b' : '#e2e8f0' },
      xaxis: { categories: volume.map((d) => dayLabel.format(new Date(`${d.date}T00:00:00Z`))) },
      yaxis: { min: 0, forceNiceScale: true, labels: { formatter: (v: number) => String(Math.round(v)) } },
      legend: { position: 'top', horizontalAlign: 'right' },
      tooltip: { theme: dark ? 'dark' : 'light' },
    }),
    [dark, volume],
  );
  const series = useMemo(
    () => [
      { name: 'Inbound', data: volume.map((d) => d.inbound) },
      { name: 'Outbound', data: volume.map((d) => d.outbound) },
    ],
    [volume],
  );
  return (
    <div data-testid="volume-chart" data-theme={dark ? 'dark' : 'light'}>
      <Chart type="area" height={300} options={options} series={series} />
    </div>
  );
}
