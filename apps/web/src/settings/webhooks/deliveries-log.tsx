import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus } from '@orbitdesk/shared';
import { useState } from 'react';
import { compactSelectClass, ghostButton, secondaryButton } from '../../ui/classes';
import { fullTime } from '../../ui/format';
import { EmptyState, ErrorState, Spinner } from '../../ui/states';
import { Badge, DataTable, MutationError, tdClass } from '../settings-ui';
import { useDeliveries, useDelivery, useResendDelivery } from './webhook-queries';

const tone = { pending: 'amber', succeeded: 'green', failed: 'red' } as const;

/** One delivery opened: the payload sent and every attempt with its answer. */
function DeliveryDetail({
  id,
  endpointId,
  onClose,
}: {
  id: string;
  endpointId: string;
  onClose: () => void;
}) {
  const delivery = useDelivery(id);
  const resend = useResendDelivery(endpointId);
  if (delivery.isPending) return <Spinner label="Loading delivery" />;
  if (delivery.isError) return <ErrorState error={delivery.error} onRetry={() => void delivery.refetch()} />;
  const d = delivery.data;
  return (
    <div
      className="flex flex-col gap-3 rounded-lg bg-slate-50 p-3 dark:bg-slate-950"
      data-testid="delivery-detail"
    >
      <div className="flex flex-wrap items-center gap-2">
        <p className="font-medium">{d.eventType}</p>
        <Badge tone={tone[d.status]}>{d.status}</Badge>
        <div className="ml-auto flex gap-2">
          <button
            type="button"
            className={secondaryButton}
            disabled={resend.isPending}
            onClick={() => resend.mutate(d.id)}
          >
            {resend.isSuccess ? 'Sent again' : 'Send again'}
          </button>
          <button type="button" className={ghostButton} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <MutationError error={resend.error} />
      <ol className="flex flex-col gap-1 text-xs">
        {d.attempts.map((a) => (
          <li key={a.id}>
            Attempt {a.attempt} · {fullTime(a.createdAt)} · {a.statusCode ?? 'no answer'} · {a.latencyMs} ms
            {a.error && <span className="text-red-600 dark:text-red-400"> · {a.error}</span>}
          </li>
        ))}
      </ol>
      <pre className="max-h-64 overflow-auto rounded-md bg-white p-2 font-mono text-xs dark:bg-slate-900">
        {JSON.stringify(d.payload, null, 2)}
      </pre>
    </div>
  );
}

/** The delivery log of one endpoint, newest first, with a status filter and "Load more". */
export function DeliveriesLog({ endpointId }: { endpointId: string }) {
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const [openId, setOpenId] = useState<string | null>(null);
  const deliveries = useDeliveries(endpointId, status);
  const items = deliveries.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="flex flex-col gap-3" data-testid="deliveries-log">
      <div className="flex items-center gap-2">
        <h4 className="text-sm font-semibold">Delivery log</h4>
        <select
          className={`${compactSelectClass} ml-auto`}
          aria-label="Delivery status"
          value={status}
          onChange={(e) => setStatus(e.target.value as WebhookDeliveryStatus | '')}
        >
          <option value="">All</option>
          {WEBHOOK_DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="button" className={ghostButton} onClick={() => void deliveries.refetch()}>
          Refresh
        </button>
      </div>
      {openId && <DeliveryDetail id={openId} endpointId={endpointId} onClose={() => setOpenId(null)} />}
      {deliveries.isPending ? (
        <Spinner label="Loading deliveries" />
      ) : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No deliveries yet">
          <p>Events appear here once one this endpoint subscribes to happens.</p>
        </EmptyState>
      ) : (
        <DataTable columns={['Event', 'Status', 'Attempts', 'Last answer', 'When']}>
          {items.map((d) => (
            <tr key={d.id} data-testid="delivery-row">
              <td className={tdClass}>
                <button
                  type="button"
                  className="text-brand-600 hover:underline"
                  onClick={() => setOpenId(d.id)}
                >
                  {d.eventType}
                </button>
              </td>
              <td className={tdClass}>
                <Badge tone={tone[d.status]}>{d.status}</Badge>
              </td>
              <td className={tdClass}>{d.attemptCount}</td>
              <td className={tdClass}>
                {d.lastStatusCode ?? '—'}
                {d.lastError && <p className="text-xs text-red-600 dark:text-red-400">{d.lastError}</p>}
              </td>
              <td className={tdClass}>{fullTime(d.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {deliveries.hasNextPage && (
        <button
          type="button"
          className={secondaryButton}
          disabled={deliveries.isFetchingNextPage}
          onClick={() => void deliveries.fetchNextPage()}
        >
          {deliveries.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
