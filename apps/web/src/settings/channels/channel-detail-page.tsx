import type { TChannel } from '@orbitdesk/shared';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { cardClass, secondaryButton } from '../../ui/classes';
import { ErrorState, Spinner } from '../../ui/states';
import { ConfirmButton } from '../confirm-button';
import { SecretOnce } from '../secret-once';
import { Badge, MutationError, SectionHeader } from '../settings-ui';
import { ChannelDetails } from './channel-details';
import { CHANNEL_LABELS } from './channel-labels';
import { useChannel, useDeleteChannel, useRotateInboundSecret, useTestChannel } from './channel-queries';
import { EditChannelForm } from './edit-channel-form';
import { WhatsAppQrPanel } from './whatsapp-qr-panel';

function ConnectionTest({ channelId }: { channelId: string }) {
  const test = useTestChannel(channelId);
  return (
    <div className="flex flex-col gap-2">
      <div>
        <button
          type="button"
          className={secondaryButton}
          disabled={test.isPending}
          onClick={() => test.mutate()}
        >
          {test.isPending ? 'Testing…' : 'Test the connection'}
        </button>
      </div>
      <MutationError error={test.error} />
      {test.data && (
        <p
          role="status"
          data-testid="channel-test-result"
          data-ok={test.data.ok}
          className={`rounded-md px-3 py-2 text-sm ${test.data.ok ? 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300'}`}
        >
          {test.data.ok ? '✓ ' : '✕ '}
          {test.data.message}
        </p>
      )}
    </div>
  );
}

function ChannelActions({ channel, onSecret }: { channel: TChannel; onSecret: (secret: string) => void }) {
  const navigate = useNavigate();
  const remove = useDeleteChannel();
  const rotate = useRotateInboundSecret(channel.id);
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {channel.inboundSecret && (
          <ConfirmButton
            label="Rotate inbound secret"
            question="Your system must switch to the new secret at once."
            confirmLabel="Rotate"
            pending={rotate.isPending}
            onConfirm={() => rotate.mutate(undefined, { onSuccess: (r) => r.secret && onSecret(r.secret) })}
          />
        )}
        <ConfirmButton
          label="Delete inbox"
          question="Its conversations and messages are deleted too."
          confirmLabel="Delete inbox"
          pending={remove.isPending}
          onConfirm={() =>
            remove.mutate(channel.id, {
              onSuccess: () => void navigate('/settings/channels', { replace: true }),
            })
          }
        />
      </div>
      <MutationError error={remove.error ?? rotate.error} />
    </div>
  );
}

/** One inbox: what to paste at the provider, the connection test, editing and deleting. */
export function ChannelDetailPage() {
  const { channelId = '' } = useParams();
  const location = useLocation();
  const channel = useChannel(channelId);
  const [editing, setEditing] = useState(false);
  // The inbound secret of a new API inbox arrives with the navigation from the connect form, once.
  const [secret, setSecret] = useState<string | null>(
    (location.state as { secret?: string } | null)?.secret ?? null,
  );

  if (channel.isPending) return <Spinner label="Loading channel" />;
  if (channel.isError) return <ErrorState error={channel.error} onRetry={() => void channel.refetch()} />;
  const c = channel.data;

  return (
    <section className="flex flex-col gap-4" aria-label={c.name}>
      <Link to="/settings/channels" className="text-sm text-brand-600 hover:underline dark:text-brand-500">
        ← All channels
      </Link>
      <SectionHeader title={c.name}>
        <Badge tone={c.isActive ? 'green' : 'slate'}>{c.isActive ? 'Active' : 'Disabled'}</Badge>
        <span className="text-sm text-slate-500">{CHANNEL_LABELS[c.type]}</span>
      </SectionHeader>
      {secret && (
        <SecretOnce
          title="Inbound secret: send it as X-Inbox-Secret"
          secret={secret}
          testId="inbound-secret"
          onDismiss={() => setSecret(null)}
        />
      )}
      <div className={`${cardClass} flex flex-col gap-5 p-4`}>
        <ChannelDetails channel={c} />
        {c.type === 'whatsapp_qr' && <WhatsAppQrPanel channelId={c.id} />}
        <ConnectionTest channelId={c.id} />
      </div>
      <div className={`${cardClass} flex flex-col gap-4 p-4`}>
        {editing ? (
          <EditChannelForm channel={c} onDone={() => setEditing(false)} />
        ) : (
          <div>
            <button type="button" className={secondaryButton} onClick={() => setEditing(true)}>
              Edit settings
            </button>
          </div>
        )}
        <ChannelActions channel={c} onSecret={setSecret} />
      </div>
    </section>
  );
}
