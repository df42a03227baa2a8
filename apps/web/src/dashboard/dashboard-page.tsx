import { roleAtLeast, type TDashboardResponse, type TIntentStats } from '@orbitdesk/shared';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../api/client';
import { useCurrentUser } from '../auth/use-session';
import { cardClass } from '../ui/classes';
import { fullTime } from '../ui/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { sentimentView } from '../inbox/understanding';
import { lastDays } from './intent-stats';
import { KpiCard } from './kpi-card';

// ApexCharts is large and only this page draws with it: it loads when the dashboard is opened.
const VolumeChart = lazy(() => import('./volume-chart').then((m) => ({ default: m.VolumeChart })));
const IntentsChart = lazy(() => import('./intents-chart').then((m) => ({ default: m.IntentsChart })));

function useDashboard(enabled: boolean) {
  return useQuery({
    queryKey: ['dashboard'],
    queryFn: ({ signal }) => api<TDashboardResponse>('/analytics/dashboard', { signal }),
    enabled,
    // The API caches the numbers for five minutes; asking more often would show the same ones.
    staleTime: 60_000,
  });
}

function useIntentStats() {
  // Fixed when the page opens, so the query key (and the cache) stays the same while it is on screen.
  const [range] = useState(() => lastDays(30, new Date()));
  return useQuery({
    queryKey: ['analytics', 'intents', range],
    queryFn: ({ signal }) => api<TIntentStats>('/analytics/intents', { query: range, signal }),
    staleTime: 60_000,
  });
}

/** What customers wrote about over 30 days (the AI's classification), and how they felt on average. */
function IntentsSection() {
  const stats = useIntentStats();
  return (
    <section className={`${cardClass} p-4`} aria-label="Intents (30 days)" data-testid="intents-section">
      <h2 className="mb-2 text-sm font-medium">Intents (30 days)</h2>
      {stats.isPending ? (
        <Spinner label="Loading intents" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : stats.data.intents.every((i) => i.count === 0) ? (
        <EmptyState title="No classified messages yet">
          Turn on message understanding in Settings → AI; new inbound messages are classified as they arrive.
        </EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_14rem]">
          <Suspense fallback={<Spinner label="Drawing the chart" />}>
            <IntentsChart stats={stats.data} />
          </Suspense>
          <dl className="flex flex-col gap-3 text-sm">
            <div>
              <dt className="text-slate-500 dark:text-slate-400">Average sentiment</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-testid="average-sentiment">
                {stats.data.averageSentiment === null
                  ? '—'
                  : sentimentView(stats.data.averageSentiment).value}
              </dd>
              <dd className="text-xs text-slate-500 dark:text-slate-400">
                from −1 (negative) to +1 (positive)
              </dd>
            </div>
            {stats.data.languages.length > 0 && (
              <div>
                <dt className="text-slate-500 dark:text-slate-400">Languages</dt>
                <dd>
                  <ul className="flex flex-wrap gap-1" data-testid="languages">
                    {stats.data.languages.slice(0, 6).map((l) => (
                      <li
                        key={l.language}
                        className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-800"
                      >
                        {l.language.toUpperCase()} {l.count}
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            )}
          </dl>
        </div>
      )}
    </section>
  );
}

/** The workspace at a glance: KPI cards and the week's message volume. Managers and admins only. */
export function DashboardPage() {
  const me = useCurrentUser();
  const allowed = me.role !== 'SUPERADMIN' && roleAtLeast(me.role, 'MANAGER');
  const dashboard = useDashboard(allowed);

  if (!allowed) {
    return (
      <div data-testid="not-allowed">
        <EmptyState title="Not allowed">
          The dashboard is for a workspace&apos;s managers and admins.
        </EmptyState>
      </div>
    );
  }
  if (dashboard.isPending) {
    return (
      <div className="p-6 text-center">
        <Spinner label="Loading the dashboard" />
      </div>
    );
  }
  if (dashboard.isError)
    return <ErrorState error={dashboard.error} onRetry={() => void dashboard.refetch()} />;

  const d = dashboard.data;
  const weekTotal = d.volume7d.reduce((sum, day) => sum + day.inbound + day.outbound, 0);
  return (
    <div className="h-full overflow-y-auto p-4 sm:p-6">
      <div className="mx-auto flex max-w-6xl flex-col gap-4">
        <div className="flex items-baseline justify-between">
          <h1 className="text-lg font-semibold">Dashboard</h1>
          <span className="text-xs text-slate-500 dark:text-slate-400">
            Updated {fullTime(d.generatedAt)}
          </span>
        </div>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-5">
          <KpiCard testId="kpi-contacts" label="Contacts" value={d.totalContacts} />
          <KpiCard
            testId="kpi-inbound-today"
            label="Received today"
            value={d.messagesToday.inbound}
            hint="UTC day"
          />
          <KpiCard
            testId="kpi-outbound-today"
            label="Sent today"
            value={d.messagesToday.outbound}
            hint="UTC day"
          />
          <KpiCard
            testId="kpi-active-conversations"
            label="Active conversations"
            value={d.activeConversations}
            hint="Open or pending"
          />
          <KpiCard testId="kpi-active-flows" label="Active flows" value={d.activeFlows} />
        </div>
        <section className={`${cardClass} p-4`}>
          <h2 className="mb-2 text-sm font-medium">
            Messages, last 7 days
            {weekTotal === 0 && (
              <span className="ml-2 font-normal text-slate-500 dark:text-slate-400">none yet</span>
            )}
          </h2>
          <Suspense fallback={<Spinner label="Drawing the chart" />}>
            <VolumeChart volume={d.volume7d} />
          </Suspense>
        </section>
        <IntentsSection />
      </div>
    </div>
  );
}
