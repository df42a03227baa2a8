import type { TWebhookEndpoint } from '@orbitdesk/shared';
import { useState } from 'react';
import { cardClass, primaryButton, secondaryButton } from '../../ui/classes';
import { EmptyState, ErrorState, Spinner } from '../../ui/states';
import { ConfirmButton } from '../confirm-button';
import { SecretOnce } from '../secret-once';
import { Badge, MutationError, SectionHeader } from '../settings-ui';
import { CreateEndpointForm } from './create-endpoint-form';
import { DeliveriesLog } from './deliveries-log';
import {
  useDeleteEndpoint,
  useEndpoints,
  useRotateEndpointSecret,
  useUpdateEndpoint,
} from './webhook-queries';

function EndpointCard({
  endpoint,
  onSecret,
}: {
  endpoint: TWebhookEndpoint;
  onSecret: (secret: { title: string; value: string }) => void;
}) {
  const update = useUpdateEndpoint();
  const rotate = useRotateEndpointSecret();
  const remove = useDeleteEndpoint();
  const [showLog, setShowLog] = useState(false);

  return (
    <li className={`${cardClass} flex flex-col gap-3 p-4`} data-testid="endpoint-row">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <p className="font-mono text-sm break-all">{endpoint.url}</p>
          {endpoint.description && <p className="text-sm text-slate-500">{endpoint.description}</p>}
          <p className="mt-1 text-xs text-slate-500">
            {endpoint.events.join(', ')} · secret {endpoint.signingSecret}
          </p>
        </div>
        <Badge tone={endpoint.isActive ? 'green' : 'slate'}>
          {endpoint.isActive ? 'Enabled' : 'Disabled'}
        </Badge>
      </div>
      <MutationError error={update.error ?? rotate.error ?? remove.error} />
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={secondaryButton}
          disabled={update.isPending}
          onClick={() => update.mutate({ id: endpoint.id, body: { isActive: !endpoint.isActive } })}
        >
          {endpoint.isActive ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className={secondaryButton}
          aria-expanded={showLog}
          onClick={() => setShowLog(!showLog)}
        >
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        <ConfirmButton
          label="Rotate secret"
          question="The current secret stops working at once."
          confirmLabel="Rotate"
          pending={rotate.isPending}
          onConfirm={() =>
            rotate.mutate(endpoint.id, {
              onSuccess: (r) => onSecret({ title: `New signing secret for ${r.url}`, value: r.secret }),
            })
          }
        />
        <ConfirmButton
          label="Delete"
          question="The endpoint and its delivery log are deleted."
          confirmLabel="Delete endpoint"
          pending={remove.isPending}
          onConfirm={() => remove.mutate(endpoint.id)}
        />
      </div>
      {showLog && <DeliveriesLog endpointId={endpoint.id} />}
    </li>
  );
}

/** Outgoing webhooks: endpoints that receive signed events, and what was delivered to them. */
export function WebhooksPage() {
  const endpoints = useEndpoints();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);

  return (
    <section className="flex flex-col gap-4" aria-label="Outgoing webhooks">
      <SectionHeader title="Outgoing webhooks">
        {!creating && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New endpoint
          </button>
        )}
      </SectionHeader>
      <p className="text-sm text-slate-500 dark:text-slate-400">
        Each event is POSTed as JSON with an <code>OrbitDesk-Signature</code> header: an HMAC-SHA256 of{' '}
        <code>&lt;t&gt;.&lt;raw body&gt;</code> keyed with the endpoint's signing secret.
      </p>
      {secret && (
        <SecretOnce
          title={secret.title}
          secret={secret.value}
          testId="signing-secret"
          onDismiss={() => setSecret(null)}
        />
      )}
      {creating && (
        <CreateEndpointForm
          onCancel={() => setCreating(false)}
          onCreated={(e) => {
            setSecret({ title: `Signing secret for ${e.url}`, value: e.secret });
            setCreating(false);
          }}
        />
      )}
      {endpoints.isPending ? (
        <Spinner label="Loading endpoints" />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : endpoints.data.length === 0 ? (
        <div className={cardClass}>
          <EmptyState title="No endpoints yet">
            <p>Add one to have conversations, messages and contacts pushed to your own systems.</p>
          </EmptyState>
        </div>
      ) : (
        <ul className="flex flex-col gap-3">
          {endpoints.data.map((e) => (
            <EndpointCard key={e.id} endpoint={e} onSecret={setSecret} />
          ))}
        </ul>
      )}
    </section>
  );
}
