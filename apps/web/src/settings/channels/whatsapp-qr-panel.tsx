import { secondaryButton } from '../../ui/classes';
import { ErrorState, Spinner } from '../../ui/states';
import { Badge, MutationError } from '../settings-ui';
import { useLinkWhatsAppQr, useWhatsAppQrStatus } from './channel-queries';

const STATUS_TEXT = {
  connecting: 'Connecting…',
  qr: 'Waiting for the phone to scan the code',
  open: 'Linked',
  closed: 'Not connected',
  logged_out: 'Logged out from the phone',
} as const;

/**
 * Linking a phone to a WhatsApp (QR) inbox. The QR code is shown as its raw string (no QR library is bundled);
 * it is polled every few seconds while a link is under way, since WhatsApp replaces it often.
 */
export function WhatsAppQrPanel({ channelId }: { channelId: string }) {
  const status = useWhatsAppQrStatus(channelId);
  const link = useLinkWhatsAppQr(channelId);
  if (status.isPending) return <Spinner label="Loading link status" />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const canLink = s.status === 'closed' || s.status === 'logged_out';
  return (
    <section className="flex flex-col gap-3" aria-label="WhatsApp link" data-testid="whatsapp-qr">
      <div className="flex flex-wrap items-center gap-2">
        <Badge
          tone={
            s.status === 'open' ? 'green' : s.status === 'qr' || s.status === 'connecting' ? 'amber' : 'slate'
          }
        >
          {STATUS_TEXT[s.status]}
        </Badge>
        {s.phone && <span className="text-sm">{s.name ? `${s.name} · ${s.phone}` : s.phone}</span>}
        {canLink && (
          <button
            type="button"
            className={secondaryButton}
            disabled={link.isPending}
            onClick={() => link.mutate()}
          >
            {link.isPending ? 'Starting…' : 'Link a phone'}
          </button>
        )}
      </div>
      {s.reason && <p className="text-sm text-slate-500">{s.reason}</p>}
      <MutationError error={link.error} />
      {s.status === 'qr' && s.qr && (
        <div className="flex flex-col gap-1">
          <p className="text-sm">
            In WhatsApp on the phone: Linked devices → Link a device, then scan this code (paste it into any
            QR generator to display it).
          </p>
          <pre className="overflow-x-auto rounded-md bg-slate-100 p-3 font-mono text-xs break-all whitespace-pre-wrap dark:bg-slate-800">
            {s.qr}
          </pre>
        </div>
      )}
    </section>
  );
}
