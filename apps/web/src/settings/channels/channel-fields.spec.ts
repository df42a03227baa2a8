import { ZCreateChannelRequest } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { channelFields, initialValues, sameJson, toBody, type FormValues } from './channel-fields';
import { channelResolver } from './channel-resolver';

const byName = (type: Parameters<typeof channelFields>[0]) =>
  Object.fromEntries(channelFields(type).map((f) => [f.name, f]));

describe('channel form fields from the shared schemas', () => {
  it('flattens the nested IMAP and SMTP objects of email, with kinds, groups and required flags', () => {
    const fields = byName('email');
    expect(fields['config.imap.port']).toMatchObject({ kind: 'number', group: 'IMAP', required: true });
    expect(fields['config.smtp.secure']).toMatchObject({ kind: 'boolean', group: 'SMTP' });
    expect(fields['config.imap.mailbox']).toMatchObject({ required: false, defaultValue: 'INBOX' });
    expect(fields['config.fromName']).toMatchObject({ kind: 'text', required: false, label: 'From name' });
    expect(fields['credentials.imapPassword']).toMatchObject({ kind: 'secret', required: true });
    expect(fields['config.emailAddress']?.label).toBe('Email address');
  });

  it('builds an email request the create schema accepts: numbers, booleans, blank optionals left out', () => {
    const fields = channelFields('email');
    const values = initialValues(fields);
    Object.assign(values, {
      config: {
        emailAddress: 'support@acme.test',
        fromName: '  ',
        pollIntervalSeconds: '',
        imap: { host: 'imap.acme.test', port: '993', secure: true, username: 'support', mailbox: 'INBOX' },
        smtp: { host: 'smtp.acme.test', port: '465', secure: false, username: 'support' },
      },
      credentials: { imapPassword: 'pw-1', smtpPassword: 'pw-2' },
    });
    const body = toBody(fields, values);
    expect(body.config).toEqual({
      emailAddress: 'support@acme.test',
      imap: { host: 'imap.acme.test', port: 993, secure: true, username: 'support', mailbox: 'INBOX' },
      smtp: { host: 'smtp.acme.test', port: 465, secure: false, username: 'support' },
    });
    expect(ZCreateChannelRequest.safeParse({ type: 'email', name: 'Support', ...body }).success).toBe(true);
  });

  it('reads stored config back into inputs and turns list fields into arrays', () => {
    const fields = channelFields('live_chat');
    const values = initialValues(fields, {
      websiteUrl: 'https://shop.test',
      allowedOrigins: ['https://shop.test', 'https://www.shop.test'],
      preChatForm: false,
    });
    expect(values.config).toMatchObject({
      websiteUrl: 'https://shop.test',
      allowedOrigins: 'https://shop.test\nhttps://www.shop.test',
      preChatForm: false,
      title: 'Chat with us',
    });
    expect(toBody(fields, values).config.allowedOrigins).toEqual([
      'https://shop.test',
      'https://www.shop.test',
    ]);
  });

  it('puts schema issues on their fields, with a plain message for a missing required value', async () => {
    const fields = channelFields('email');
    const names = ['name', ...fields.map((f) => f.name)];
    const build = (v: Record<string, unknown>) => ({ type: 'email', name: v.name, ...toBody(fields, v) });
    const resolver = channelResolver(ZCreateChannelRequest, build, names);
    const values: FormValues = { name: 'Support', ...initialValues(fields) };
    (values.config as { imap: Record<string, unknown> }).imap.port = '99999';
    const result = await resolver(values, undefined, { fields: {}, shouldUseNativeValidation: false });
    const errors = result.errors as unknown as {
      config: {
        emailAddress: { message: string };
        imap: { port: { message: string }; host: { message: string } };
      };
    };
    expect(errors.config.imap.port.message).toMatch(/65535/);
    expect(errors.config.imap.host.message).toBe('is required');
    expect(errors.config.emailAddress.message).toBe('is required');
  });

  it('compares configs regardless of key order', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
  });
});
