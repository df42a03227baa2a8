import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and every accepted RCPT TO. */
  mailFrom: string;
  rcptTo: string[];
  /** Who logged in to send it. */
  user: string;
  raw: string;
  parsed: ParsedMail;
}

const withCode = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

/**
 * A real SMTP server (the smtp-server package) on loopback for one account: AUTH PLAIN/LOGIN is required and
 * checked, no TLS (STARTTLS is not offered), and every accepted message is kept with its envelope. A recipient
 * in `state.reject` is refused at RCPT TO with 550 and the given text, as a real server refuses an unknown user.
 */
export async function startFakeSmtp(account: { username: string; password: string }) {
  const state = {
    received: [] as ReceivedMail[],
    /** Lower-case address → the text of the 550 answer. */
    reject: new Map<string, string>(),
    failedLogins: 0,
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === account.username && auth.password === account.password) {
        callback(null, { user: auth.username });
        return;
      }
      state.failedLogins++;
      callback(withCode('5.7.8 Error: authentication failed: Invalid username or password', 535));
    },
    onRcptTo(address, _session, callback) {
      const refusal = state.reject.get(address.address.toLowerCase());
      callback(refusal ? withCode(refusal, 550) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            state.received.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              user: String(session.user),
              raw,
              parsed,
            });
            callback(null, 'Ok: queued');
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    state,
    host: '127.0.0.1',
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
