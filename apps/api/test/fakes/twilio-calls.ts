import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeTwilio, FakeTwilioAccount } from './twilio-rest.js';

const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio's limit for the Twiml parameter. */
const MAX_TWIML = 4000;

export interface FakeTwilioCall {
  sid: string;
  accountSid: string;
  form: URLSearchParams;
}

/**
 * The Calls resource of the Twilio REST API (POST /2010-04-01/Accounts/{sid}/Calls.json), in front of the
 * Messages fake (twilio-rest.ts), to which every other request is passed on unchanged. It checks what Twilio
 * checks: HTTP Basic auth with the Account SID and Auth Token (401, 20003), the account in the path being the
 * caller's (404, 20404), To (21201) and From (21213) present, To a valid number (21211), From one of the
 * account's numbers (21210), exactly one of Url or Twiml (21205), and TwiML that is a <Response> document
 * within 4000 characters (21236). Answers carry the call resource as Twilio returns it, status `queued`.
 */
export async function startFakeTwilioCalls(rest: FakeTwilio, accounts: FakeTwilioAccount[]) {
  const byId = new Map(accounts.map((a) => [a.sid, a]));
  const state = { calls: [] as FakeTwilioCall[] };
  const upstream = new URL(rest.url);

  class TwilioError extends Error {
    constructor(
      readonly status: number,
      readonly code: number,
      message: string,
    ) {
      super(message);
    }
  }

  function authenticate(req: IncomingMessage): FakeTwilioAccount {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const [user, ...rest] = match ? Buffer.from(match[1]!, 'base64').toString('utf8').split(':') : [];
    const account = user ? byId.get(user) : undefined;
    if (!account || rest.join(':') !== account.authToken) throw new TwilioError(401, 20003, 'Authenticate');
    return account;
  }

  function createCall(req: IncomingMessage, accountSid: string, raw: Buffer) {
    const account = authenticate(req);
    if (account.sid !== accountSid) {
      throw new TwilioError(
        404,
        20404,
        `The requested resource /Accounts/${accountSid}/Calls.json was not found`,
      );
    }
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      throw new TwilioError(400, 21205, 'Url parameter is required.');
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const twiml = form.get('Twiml');
    const url = form.get('Url');
    if (!to) throw new TwilioError(400, 21201, "No 'To' number is specified");
    if (!from) throw new TwilioError(400, 21213, "No 'From' number is specified");
    if (!E164.test(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!account.numbers.some((n) => n.phoneNumber === from)) {
      throw new TwilioError(
        400,
        21210,
        `The source phone number provided, ${from}, is not yet verified for your account.`,
      );
    }
    if (!twiml === !url) throw new TwilioError(400, 21205, 'Url parameter is required.');
    if (twiml && (twiml.length > MAX_TWIML || !/<Response>[\s\S]*<\/Response>\s*$/.test(twiml))) {
      throw new TwilioError(400, 21236, 'Invalid Twiml');
    }
    const sid = `CA${randomBytes(16).toString('hex')}`;
    state.calls.push({ sid, accountSid: account.sid, form });
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      account_sid: account.sid,
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      direction: 'outbound-api',
      from,
      from_formatted: from,
      sid,
      status: 'queued',
      to,
      to_formatted: to,
      uri: `/2010-04-01/Accounts/${account.sid}/Calls/${sid}.json`,
    };
  }

  function passOn(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end());
    forwarded.end(raw);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const calls = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\.json$/.exec(path);
      if (!calls || req.method !== 'POST') return passOn(req, res, raw);
      try {
        const call = createCall(req, calls[1]!, raw);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(call));
      } catch (err) {
        if (!(err instanceof TwilioError)) throw err;
        res.writeHead(err.status, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            code: err.code,
            message: err.message,
            more_info: `https://www.twilio.com/docs/errors/${err.code}`,
            status: err.status,
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeTwilioCalls = Awaited<ReturnType<typeof startFakeTwilioCalls>>;
