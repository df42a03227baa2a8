import type { NodemailerError } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { defaultAddressPolicy } from '../../../common/http-client/ip-policy.js';
import type { EmailInbox } from './email-config.js';
import { MailHostBlockedError, resolveMailHost } from './mail-host.js';
import { describeSmtpError } from './smtp-transport.js';

const inbox = {
  config: { smtp: { host: 'smtp.acme.test', port: 587, secure: false, username: 'support@acme.test' } },
} as EmailInbox;
const smtpError = (fields: Partial<NodemailerError>) =>
  Object.assign(new Error(fields.message ?? 'failed'), fields);

describe('describeSmtpError', () => {
  it('fails for good on a 5xx answer, with the server’s words', () => {
    const err = describeSmtpError(
      inbox,
      smtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 Mailbox unavailable' }),
    );
    expect(err).toMatchObject({
      permanent: true,
      message: 'SMTP server smtp.acme.test refused the message: 550 5.1.1 Mailbox unavailable',
    });
  });

  it('retries a 4xx answer and a connection that failed', () => {
    expect(
      describeSmtpError(inbox, smtpError({ responseCode: 451, response: '451 4.3.0 Try later' })),
    ).toMatchObject({
      permanent: false,
      message: 'SMTP server smtp.acme.test refused the message: 451 4.3.0 Try later',
    });
    expect(
      describeSmtpError(inbox, smtpError({ code: 'ESOCKET', message: 'connect ECONNREFUSED 10.0.0.1:587' })),
    ).toMatchObject({
      permanent: false,
      message: 'Could not reach SMTP server smtp.acme.test:587: connect ECONNREFUSED 10.0.0.1:587',
    });
  });

  it('names the account whose login was refused', () => {
    expect(
      describeSmtpError(
        inbox,
        smtpError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Bad credentials' }),
      ),
    ).toMatchObject({
      permanent: true,
      message: 'SMTP login failed for support@acme.test@smtp.acme.test: 535 5.7.8 Bad credentials',
    });
  });
});

describe('resolveMailHost', () => {
  const strict = defaultAddressPolicy(false);

  it('refuses loopback, private and metadata addresses unless private networks are allowed', async () => {
    await expect(resolveMailHost('127.0.0.1', strict)).rejects.toThrow(MailHostBlockedError);
    await expect(resolveMailHost('localhost', strict)).rejects.toThrow(
      /localhost resolves to a blocked address/,
    );
    await expect(resolveMailHost('10.1.2.3', strict)).rejects.toThrow(/private address/);
    expect(await resolveMailHost('127.0.0.1', defaultAddressPolicy(true))).toBe('127.0.0.1');
    await expect(resolveMailHost('169.254.169.254', defaultAddressPolicy(true))).rejects.toThrow(
      MailHostBlockedError,
    );
  });

  it('passes a public address through', async () => {
    expect(await resolveMailHost('93.184.215.14', strict)).toBe('93.184.215.14');
  });
});
