import {
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidDecode,
} from '@whiskeysockets/baileys';
import type { WAMessageKey } from '@whiskeysockets/baileys';

/**
 * Contacts are known by their phone digits (`14155550100`), which is what the inbox shows and what a reply is
 * addressed to. WhatsApp may hide a contact's number behind a LID (`1234@lid`) and give the number only as the
 * key's alternate JID; when it gives no number at all, the contact is known by `lid:<id>` instead.
 */
const LID_PREFIX = 'lid:';

export interface ChatAddress {
  /** The contact identity on this channel: phone digits, or `lid:<id>`. */
  identifier: string;
  /** `+<digits>` when the number is known. */
  phone?: string;
}

/** The other party of a one-to-one chat; undefined for groups, broadcasts, status updates and newsletters. */
export function chatAddress(key: WAMessageKey): ChatAddress | undefined {
  const jid = key.remoteJid ?? undefined;
  if (!jid || isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid)) return undefined;
  const pn = [jid, key.remoteJidAlt].find((j) => isPnUser(j));
  const pnUser = pn ? jidDecode(pn)?.user : undefined;
  if (pnUser) return { identifier: pnUser, phone: `+${pnUser}` };
  const lid = [jid, key.remoteJidAlt].find((j) => isLidUser(j));
  const lidUser = lid ? jidDecode(lid)?.user : undefined;
  return lidUser ? { identifier: `${LID_PREFIX}${lidUser}` } : undefined;
}

/** The JID a reply to `identifier` goes to: `<digits>@s.whatsapp.net`, or `<id>@lid`. */
export function jidForIdentifier(identifier: string): string {
  if (identifier.startsWith(LID_PREFIX)) return `${identifier.slice(LID_PREFIX.length)}@lid`;
  const digits = identifier.replace(/\D/g, '');
  if (!digits) throw new Error(`"${identifier}" is not a WhatsApp number`);
  return `${digits}@s.whatsapp.net`;
}

/** `+14155550100` from the linked account's own JID (`14155550100:12@s.whatsapp.net`). */
export function phoneOfJid(jid: string | undefined): string | undefined {
  const user = jidDecode(jid)?.user;
  return user && /^\d+$/.test(user) ? `+${user}` : undefined;
}
