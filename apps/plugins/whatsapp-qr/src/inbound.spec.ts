import { Readable } from 'node:stream';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { normalizeInbound } from './inbound.js';
import { jidForIdentifier } from './jid.js';

const download = () => Promise.resolve(Readable.from([Buffer.from('x')]));
const msg = (
  key: Record<string, unknown>,
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => proto.WebMessageInfo.fromObject({ key: { id: 'ID1', ...key }, message, ...extra }) as WAMessage;

describe('normalizeInbound', () => {
  it('knows a contact behind a LID by the phone number WhatsApp gives alongside, else by the LID', () => {
    const withPn = msg({ remoteJid: '99887766@lid' }, { conversation: 'hi' });
    withPn.key.remoteJidAlt = '4915112345678@s.whatsapp.net';
    expect(normalizeInbound(withPn, download)?.contact).toEqual({
      identifier: '4915112345678',
      phone: '+4915112345678',
    });
    const lidOnly = normalizeInbound(msg({ remoteJid: '99887766@lid' }, { conversation: 'hi' }), download);
    expect(lidOnly?.contact).toEqual({ identifier: 'lid:99887766' });
    expect(jidForIdentifier('lid:99887766')).toBe('99887766@lid');
    expect(jidForIdentifier('4915112345678')).toBe('4915112345678@s.whatsapp.net');
  });

  it('unwraps ephemeral messages and maps documents, locations and contact cards', async () => {
    const doc = normalizeInbound(
      msg(
        { remoteJid: '1555@s.whatsapp.net' },
        {
          ephemeralMessage: {
            message: {
              documentMessage: { fileName: 'invoice.pdf', mimetype: 'application/pdf', caption: 'April' },
            },
          },
        },
      ),
      download,
    );
    expect(doc).toMatchObject({
      type: 'document',
      content: { filename: 'invoice.pdf', caption: 'April', mimeType: 'application/pdf' },
      media: { fileName: 'invoice.pdf', mimeType: 'application/pdf' },
    });
    expect((await doc!.media!.download()).read()).toEqual(Buffer.from('x'));

    const voice = normalizeInbound(
      msg(
        { remoteJid: '1555@s.whatsapp.net' },
        { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } },
      ),
      download,
    );
    expect(voice).toMatchObject({ type: 'audio', media: { fileName: 'audio.ogg' } });

    const place = normalizeInbound(
      msg(
        { remoteJid: '1555@s.whatsapp.net' },
        { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Office' } },
      ),
      download,
    );
    expect(place).toMatchObject({
      type: 'location',
      content: { latitude: 52.52, longitude: 13.405, name: 'Office' },
    });

    const card = normalizeInbound(
      msg(
        { remoteJid: '1555@s.whatsapp.net' },
        { contactMessage: { displayName: 'Bob', vcard: 'BEGIN:VCARD' } },
      ),
      download,
    );
    expect(card).toMatchObject({
      type: 'contacts',
      content: { contacts: [{ name: 'Bob', vcard: 'BEGIN:VCARD' }] },
    });
  });

  it('skips what an inbox does not show: reactions, deletions, status updates, newsletters', () => {
    const skipped = [
      msg({ remoteJid: '1555@s.whatsapp.net' }, { reactionMessage: { text: '👍', key: { id: 'X' } } }),
      msg({ remoteJid: '1555@s.whatsapp.net' }, { protocolMessage: { type: 0, key: { id: 'X' } } }),
      msg({ remoteJid: 'status@broadcast', participant: '1555@s.whatsapp.net' }, { conversation: 'story' }),
      msg({ remoteJid: '1203632@newsletter' }, { conversation: 'news' }),
      msg({ remoteJid: '1555@s.whatsapp.net' }, { conversation: '   ' }),
    ];
    for (const m of skipped) expect(normalizeInbound(m, download)).toBeUndefined();
  });
});
