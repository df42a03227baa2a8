import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import { isIP } from 'node:net';
import type { AddressPolicy } from '../../../common/http-client/ip-policy.js';
import type { EmailInbox } from './email-config.js';
import { MailHostBlockedError, resolveMailHost } from './mail-host.js';

/** A failed SMTP step, in plain words; `permanent` when sending the same message again cannot succeed. */
export class SmtpError extends Error {
  constructor(
    readonly permanent: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

/**
 * One SMTP connection per send (replies are rare next to polls, and a pool per inbox would hold sockets to
 * thousands of servers). Attachments are given as bytes only: with file and URL access disabled, nothing in a
 * message can make nodemailer read a local file or fetch a URL.
 */
export async function smtpTransport(inbox: EmailInbox, policy: AddressPolicy): Promise<Transporter> {
  const { smtp } = inbox.config;
  let address: string;
  try {
    address = await resolveMailHost(smtp.host, policy);
  } catch (err) {
    throw describeSmtpError(inbox, err as NodemailerError);
  }
  return nodemailer.createTransport({
    host: address,
    ...(isIP(smtp.host) ? {} : { servername: smtp.host }),
    port: smtp.port,
    secure: smtp.secure,
    auth: { user: smtp.username, pass: inbox.smtpPassword },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}

/**
 * 5xx answers (a refused recipient, a rejected login, a message too large) are final; 4xx answers and failures
 * to connect or to finish the exchange are worth another try.
 */
export function describeSmtpError(inbox: EmailInbox, err: NodemailerError | MailHostBlockedError): SmtpError {
  const { smtp } = inbox.config;
  if (err instanceof MailHostBlockedError) {
    return new SmtpError(true, `SMTP server ${smtp.host} is not allowed: ${err.reason}`);
  }
  const code = err.responseCode;
  const said = err.response ?? err.message;
  if (err.code === 'EAUTH') {
    return new SmtpError(
      code === undefined || code >= 500,
      `SMTP login failed for ${smtp.username}@${smtp.host}: ${said}`,
    );
  }
  if (code !== undefined && code >= 400) {
    return new SmtpError(code >= 500, `SMTP server ${smtp.host} refused the message: ${said}`);
  }
  return new SmtpError(false, `Could not reach SMTP server ${smtp.host}:${smtp.port}: ${err.message}`);
}
