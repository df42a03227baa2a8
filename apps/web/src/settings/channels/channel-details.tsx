import type { TChannel } from '@orbitdesk/shared';
import { CopyValue } from '../copy-button';
import { humanize } from './channel-fields';

/** Internal API paths the QR panel calls itself; not something to paste anywhere. */
const HIDDEN: Record<string, readonly string[]> = { whatsapp_qr: ['linkUrl', 'statusUrl', 'linkStatus'] };

/**
 * What the admin needs to finish the connection at the provider: the webhook URL and, by type, the verify
 * token, the widget snippet, the bot's username… Text values can be copied; links open in a new tab.
 */
export function ChannelDetails({ channel }: { channel: TChannel }) {
  const hidden = HIDDEN[channel.type] ?? [];
  const entries = Object.entries(channel.details).filter(([key]) => !hidden.includes(key));
  return (
    <dl className="flex flex-col gap-3">
      {channel.webhookUrl && (
        <div className="flex flex-col gap-1">
          <dt className="text-sm font-medium">Webhook URL</dt>
          <dd>
            <CopyValue value={channel.webhookUrl} label="Webhook URL" testId="webhook-url" />
          </dd>
        </div>
      )}
      {channel.inboundSecret && (
        <div className="flex flex-col gap-1">
          <dt className="text-sm font-medium">Inbound secret (X-Inbox-Secret)</dt>
          <dd className="font-mono text-xs">{channel.inboundSecret}</dd>
        </div>
      )}
      {entries.map(([key, value]) => (
        <div key={key} className="flex flex-col gap-1" data-testid={`detail-${key}`}>
          <dt className="text-sm font-medium">{humanize(key)}</dt>
          <dd>
            {value === null || value === undefined || value === '' ? (
              <span className="text-sm text-slate-500">—</span>
            ) : typeof value === 'string' && /^https?:\/\//.test(value) && key.endsWith('Link') ? (
              <a
                href={value}
                target="_blank"
                rel="noreferrer"
                className="text-sm text-brand-600 hover:underline"
              >
                {value}
              </a>
            ) : typeof value === 'string' ? (
              <CopyValue value={value} label={humanize(key)} />
            ) : (
              <span className="font-mono text-xs">{JSON.stringify(value)}</span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
