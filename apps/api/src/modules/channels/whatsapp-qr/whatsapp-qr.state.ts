import { WHATSAPP_QR_LINK_STATUSES, type TWhatsAppQrStatus } from '@orbitdesk/shared';
import { z } from 'zod';
import type { ChannelRow } from '../channels.repository.js';

/** What the worker records in channels.state about a linked device; read leniently (old rows, partial writes). */
const ZLinkState = z.object({
  status: z.enum(WHATSAPP_QR_LINK_STATUSES).catch('connecting').default('connecting'),
  reason: z.string().nullable().catch(null).default(null),
  phone: z.string().nullable().catch(null).default(null),
  name: z.string().nullable().catch(null).default(null),
  qr: z.string().nullable().catch(null).default(null),
  /** Nothing runs until an admin links again: logged out, or the QR code expired unscanned. */
  idle: z.boolean().catch(false).default(false),
  updatedAt: z.string().nullable().catch(null).default(null),
});
export type LinkState = z.infer<typeof ZLinkState>;

export const readLinkState = (row: Pick<ChannelRow, 'state'>): LinkState => ZLinkState.parse(row.state ?? {});

export function toStatusDto(row: Pick<ChannelRow, 'id' | 'state'>): TWhatsAppQrStatus {
  const s = readLinkState(row);
  return {
    channelId: row.id,
    status: s.status,
    reason: s.reason,
    phone: s.phone,
    name: s.name,
    qr: s.status === 'qr' ? s.qr : null,
    updatedAt: s.updatedAt,
  };
}

/** The sentence test() and the admin UI show for a link state. */
export function describeLink(state: LinkState): { ok: boolean; message: string } {
  switch (state.status) {
    case 'open':
      return { ok: true, message: `Linked as ${state.phone ?? 'an unknown number'}` };
    case 'logged_out':
      return { ok: false, message: `${state.reason ?? 'Logged out'}: link again` };
    case 'qr':
      return { ok: false, message: 'Not linked yet: scan the QR code' };
    case 'connecting':
    case 'closed':
      if (!state.phone) {
        return {
          ok: false,
          message: state.idle
            ? 'Not linked yet: start linking and scan the QR code'
            : 'Not linked yet: scan the QR code',
        };
      }
      return {
        ok: false,
        message: `Linked as ${state.phone}, but not connected right now${state.reason ? ` (${state.reason})` : ''}: reconnecting`,
      };
  }
}
