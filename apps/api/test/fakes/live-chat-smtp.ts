import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The SMTP envelope, as the client gave it in MAIL FROM / RCPT TO. */
  mailFrom: string;
  rcptTo: string[];
  /** Who logged in with AUTH. */
  user: string;
  parsed: ParsedMail;
}

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

/**
 * A real SMTP server on loopback (smtp-server): AUTH required and checked against `state.password`, recipients
 * in `state.rejectRecipients` refused with 550, every accepted message parsed with mailparser. No STARTTLS, so
 * the client logs in over the plain loopback connection (allowInsecureAuth).
 */
export async function startFakeSmtp(user = 'widget-mailer', password = 'smtp-pass-1') {
  const state = {
    password,
    rejectRecipients: new Set<string>(),
    mails: [] as ReceivedMail[],
    authFailures: 0,
  };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === state.password) return callback(null, { user });
      state.authFailures++;
      callback(smtpError('5.7.8 Authentication credentials invalid', 535));
    },
    onRcptTo(address, _session, callback) {
      if (state.rejectRecipients.has(address.address.toLowerCase())) {
        return callback(smtpError(`5.1.1 <${address.address}>: Recipient address rejected`, 550));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const from = session.envelope.mailFrom;
          state.mails.push({
            mailFrom: from ? from.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: String(session.user),
            parsed,
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    state,
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
