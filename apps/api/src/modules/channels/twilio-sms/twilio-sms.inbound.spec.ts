import { describe, expect, it } from 'vitest';
import { onApiBase } from './twilio-sms.client.js';
import { describeDeliveryError, statusUpdateFor } from './twilio-sms.errors.js';
import { formParams, inboundParts } from './twilio-sms.inbound.js';

const SID = `MM${'a'.repeat(32)}`;
const media = (i: number, type: string) => ({
  [`MediaUrl${i}`]: `https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/${SID}/Media/ME${i}`,
  [`MediaContentType${i}`]: type,
});

describe('twilio inbound parts', () => {
  it('an SMS is one text message with the MessageSid', () => {
    expect(inboundParts({ MessageSid: SID, Body: 'hi', NumMedia: '0' })).toEqual([
      { providerMessageId: SID, type: 'text', text: 'hi' },
    ]);
  });

  it('an MMS is one message per media, the Body as caption of the first, ids <sid> and <sid>:<n>', () => {
    const parts = inboundParts({
      MessageSid: SID,
      Body: 'look',
      NumMedia: '3',
      ...media(0, 'image/jpeg'),
      ...media(1, 'video/mp4'),
      ...media(2, 'text/vcard'),
    });
    expect(parts.map((p) => [p.providerMessageId, p.type, 'caption' in p ? p.caption : undefined])).toEqual([
      [SID, 'image', 'look'],
      [`${SID}:1`, 'video', undefined],
      [`${SID}:2`, 'document', undefined],
    ]);
  });

  it('a Body too long for a caption comes first as text', () => {
    const body = 'x'.repeat(1500);
    const parts = inboundParts({ MessageSid: SID, Body: body, NumMedia: '1', ...media(0, 'audio/amr') });
    expect(parts.map((p) => [p.providerMessageId, p.type])).toEqual([
      [SID, 'text'],
      [`${SID}:1`, 'audio'],
    ]);
  });

  it('skips media without a usable URL, caps NumMedia at 10, and stores nothing without a sid or content', () => {
    const parts = inboundParts({
      MessageSid: SID,
      NumMedia: '2',
      ...media(0, 'image/png'),
      MediaUrl1: 'javascript:alert(1)',
    });
    expect(parts).toHaveLength(1);
    expect(inboundParts({ MessageSid: SID, NumMedia: '9999', ...media(0, 'image/png') })).toHaveLength(1);
    expect(inboundParts({ Body: 'no sid' })).toEqual([]);
    expect(inboundParts({ MessageSid: SID, Body: '  ', NumMedia: 'x' })).toEqual([]);
  });

  it('reads only form fields: strings, or lists of strings', () => {
    expect(formParams({ a: '1', b: ['2', '3'], c: { d: 1 }, e: 5 })).toEqual({ a: '1', b: ['2', '3'] });
    expect(formParams('a=1')).toEqual({});
    expect(formParams(null)).toEqual({});
  });
});

describe('twilio delivery reports', () => {
  it('maps MessageStatus onto the message status', () => {
    expect(statusUpdateFor('queued', undefined)).toBeNull();
    expect(statusUpdateFor('sent', undefined)).toBeNull();
    expect(statusUpdateFor('delivered', undefined)).toEqual({ status: 'delivered' });
    expect(statusUpdateFor('read', undefined)).toEqual({ status: 'read' });
    expect(statusUpdateFor('failed', '30007')).toEqual({
      status: 'failed',
      reason: 'Error 30007: the carrier filtered the message as spam or unregistered traffic',
    });
  });

  it('explains common codes and links the others', () => {
    expect(describeDeliveryError('undelivered', '21610')).toMatch(/opted out/);
    expect(describeDeliveryError('undelivered', '30006')).toMatch(/landline/);
    expect(describeDeliveryError('failed', '30999')).toBe(
      'Error 30999 (see https://www.twilio.com/docs/errors/30999)',
    );
    expect(describeDeliveryError('undelivered', undefined)).toBe('Twilio reported the message undelivered');
  });
});

describe('twilio API base', () => {
  it('moves api.twilio.com URLs onto the configured base and leaves others alone', () => {
    expect(onApiBase('https://api.twilio.com/2010-04-01/Accounts.json', 'http://127.0.0.1:9/tw/')).toBe(
      'http://127.0.0.1:9/tw/2010-04-01/Accounts.json',
    );
    expect(onApiBase('https://api.twilio.com.evil.test/x', 'http://b')).toBe(
      'https://api.twilio.com.evil.test/x',
    );
    expect(onApiBase('https://media.twiliocdn.com/x', 'http://b')).toBe('https://media.twiliocdn.com/x');
  });
});
