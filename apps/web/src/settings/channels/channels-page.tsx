import { useState } from 'react';
import { Link } from 'react-router';
import { useChannels } from '../../inbox/queries';
import { cardClass, primaryButton } from '../../ui/classes';
import { EmptyState, QueryStates } from '../../ui/states';
import { Badge, DataTable, SectionHeader, tdClass } from '../settings-ui';
import { CHANNEL_LABELS } from './channel-labels';
import { ConnectChannelForm } from './connect-channel-form';

/** The workspace's inboxes, and connecting a new one. */
export function ChannelsPage() {
  const channels = useChannels();
  const [connecting, setConnecting] = useState(false);

  return (
    <section className="flex flex-col gap-4" aria-label="Channels">
      <SectionHeader title="Channels">
        {!connecting && (
          <button type="button" className={primaryButton} onClick={() => setConnecting(true)}>
            Connect a channel
          </button>
        )}
      </SectionHeader>
      {connecting && <ConnectChannelForm onCancel={() => setConnecting(false)} />}
      <div className={cardClass}>
        <QueryStates
          query={channels}
          loadingLabel="Loading channels"
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState title="No channels yet">
              <p>
                Connect WhatsApp, email, a website chat or your own system to start receiving conversations.
              </p>
            </EmptyState>
          }
        >
          {(data) => (
            <DataTable columns={['Inbox', 'Type', 'State']}>
              {data.map((c) => (
                <tr key={c.id} data-testid="channel-row">
                  <td className={tdClass}>
                    <Link
                      to={`/settings/channels/${c.id}`}
                      className="font-medium text-brand-600 hover:underline dark:text-brand-500"
                    >
                      {c.name}
                    </Link>
                  </td>
                  <td className={tdClass}>{CHANNEL_LABELS[c.type]}</td>
                  <td className={tdClass}>
                    <Badge tone={c.isActive ? 'green' : 'slate'}>{c.isActive ? 'Active' : 'Disabled'}</Badge>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryStates>
      </div>
    </section>
  );
}
