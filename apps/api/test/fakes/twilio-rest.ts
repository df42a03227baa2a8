import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Twilio REST API (api.twilio.com, 2010-04-01) that speaks the wire format the twilio SDK uses and
 * checks what Twilio checks: HTTP Basic auth with an Account SID and its Auth Token (401, code 20003 otherwise),
 * the account in the path belonging to the caller (404, code 20404), and the form-encoded Messages.json POST as
 * Twilio validates it (To, From or MessagingServiceSid, Body or MediaUrl, the 1600-character limit, the sender
 * being one of the account's numbers, opted-out recipients). Answers carry Twilio's JSON shapes: the message,
 * account and incoming-phone-number resources, and errors as {code, message, more_info, status}.
 *
 * MMS media (GET …/Messages/{sid}/Media/{sid}) asks for the same credentials and then redirects to an open,
 * CDN-like URL, as Twilio does when an account protects its media with HTTP Basic auth.
 */

const API = '/2010-04-01';

export interface FakeTwilioNumber {
  phoneNumber: string;
  /** Twilio's capabilities.sms; true unless set. */
  sms?: boolean;
}

export interface FakeTwilioAccount {
  sid: string;
  authToken: string;
  friendlyName: string;
  numbers: FakeTwilioNumber[];
  messagingServiceSids?: string[];
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The Account SID the Basic credentials proved, if they did. */
  authenticatedAs?: string;
  contentType?: string;
  /** The form body of a POST, decoded exactly as Twilio decodes it. */
  form?: URLSearchParams;
  status: number;
}

export interface FakeTwilioError {
  status: number;
  code: number;
  message: string;
}

export interface FakeTwilioMessage {
  sid: string;
  accountSid: string;
  form: URLSearchParams;
}

class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
/** Twilio's date format: RFC 2822 with a numeric zone. */
const twilioDate = (d = new Date()) => d.toUTCString().replace('GMT', '+0000');
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Twilio's X-Twilio-Signature, computed from its documented recipe: the full URL, then each POST field name
 * followed by its value, names in sorted order; HMAC-SHA1 keyed with the Auth Token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export async function startFakeTwilio(accounts: FakeTwilioAccount[]) {
  const byId = new Map(accounts.map((a) => [a.sid, a]));
  const media = new Map<string, { contentType: string; body: Buffer }>();
  const state = {
    requests: [] as FakeTwilioRequest[],
    messages: [] as FakeTwilioMessage[],
    /** Recipients who replied STOP: a send to them answers 21610. */
    optedOut: new Set<string>(),
    /** Answered, in order, by the next Messages.json POSTs (an outage, a rate limit) before any is accepted. */
    failures: [] as FakeTwilioError[],
  };
  let base = '';

  function authenticate(req: IncomingMessage): FakeTwilioAccount {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const [user, ...rest] = match ? Buffer.from(match[1]!, 'base64').toString('utf8').split(':') : [];
    const account = user ? byId.get(user) : undefined;
    if (!account || rest.join(':') !== account.authToken) {
      throw new TwilioError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.');
    }
    return account;
  }

  function notFound(path: string): TwilioError {
    return new TwilioError(404, 20404, `The requested resource ${path} was not found`);
  }

  function accountResource(a: FakeTwilioAccount) {
    return {
      auth_token: a.authToken,
      date_created: twilioDate(new Date('2020-01-01T00:00:00Z')),
      date_updated: twilioDate(new Date('2020-01-01T00:00:00Z')),
      friendly_name: a.friendlyName,
      owner_account_sid: a.sid,
      sid: a.sid,
      status: 'active',
      subresource_uris: {
        incoming_phone_numbers: `${API}/Accounts/${a.sid}/IncomingPhoneNumbers.json`,
        messages: `${API}/Accounts/${a.sid}/Messages.json`,
      },
      type: 'Full',
      uri: `${API}/Accounts/${a.sid}.json`,
    };
  }

  function numberResource(a: FakeTwilioAccount, n: FakeTwilioNumber, index: number) {
    const pn = `PN${index.toString(16).padStart(32, '0')}`;
    return {
      account_sid: a.sid,
      api_version: '2010-04-01',
      capabilities: { fax: false, mms: true, sms: n.sms ?? true, voice: true },
      date_created: twilioDate(new Date('2020-01-01T00:00:00Z')),
      date_updated: twilioDate(new Date('2020-01-01T00:00:00Z')),
      friendly_name: n.phoneNumber,
      phone_number: n.phoneNumber,
      sid: pn,
      sms_method: 'POST',
      sms_url: '',
      status: 'in-use',
      uri: `${API}/Accounts/${a.sid}/IncomingPhoneNumbers/${pn}.json`,
    };
  }

  function listNumbers(a: FakeTwilioAccount, query: URLSearchParams) {
    const wanted = query.get('PhoneNumber');
    const pageSize = Number(query.get('PageSize') ?? 50);
    const items = a.numbers
      .map((n, i) => numberResource(a, n, i))
      .filter((n) => !wanted || n.phone_number === wanted)
      .slice(0, pageSize);
    const uri = `${API}/Accounts/${a.sid}/IncomingPhoneNumbers.json?${query.toString()}`;
    return {
      end: Math.max(items.length - 1, 0),
      first_page_uri: uri,
      incoming_phone_numbers: items,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    };
  }

  function createMessage(a: FakeTwilioAccount, form: URLSearchParams) {
    const failure = state.failures.shift();
    if (failure) throw new TwilioError(failure.status, failure.code, failure.message);
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    const mediaUrls = form.getAll('MediaUrl');
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!from && !service) {
      throw new TwilioError(
        400,
        21603,
        "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
      );
    }
    if (!body && !mediaUrls.length) throw new TwilioError(400, 21602, 'Message body is required.');
    if ([...body].length > 1600) {
      throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    if (!E164.test(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (from && !a.numbers.some((n) => n.phoneNumber === from)) {
      throw new TwilioError(
        400,
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    }
    if (service && !(a.messagingServiceSids ?? []).includes(service)) {
      throw new TwilioError(400, 21701, `The Messaging Service Sid ${service} is invalid.`);
    }
    if (state.optedOut.has(to))
      throw new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
    const messageSid = sid(mediaUrls.length ? 'MM' : 'SM');
    state.messages.push({ sid: messageSid, accountSid: a.sid, form });
    const now = twilioDate();
    return {
      account_sid: a.sid,
      api_version: '2010-04-01',
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: from ?? null,
      messaging_service_sid: service ?? null,
      num_media: String(mediaUrls.length),
      num_segments: String(Math.max(1, Math.ceil([...body].length / 153))),
      price: null,
      price_unit: 'USD',
      sid: messageSid,
      status: from ? 'queued' : 'accepted',
      subresource_uris: { media: `${API}/Accounts/${a.sid}/Messages/${messageSid}/Media.json` },
      to,
      uri: `${API}/Accounts/${a.sid}/Messages/${messageSid}.json`,
    };
  }

  function route(
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
    form: URLSearchParams | undefined,
    record: FakeTwilioRequest,
  ): { status: number; json?: unknown; redirect?: string; file?: { contentType: string; body: Buffer } } {
    const cdn = /^\/mms-media\/(ME[0-9a-f]{32})$/.exec(path);
    if (cdn && req.method === 'GET') {
      const file = media.get(cdn[1]!);
      if (!file) throw notFound(path);
      return { status: 200, file };
    }
    const account = authenticate(req);
    record.authenticatedAs = account.sid;
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})(\.json|\/.*)$/.exec(path);
    if (!m || m[1] !== account.sid) throw notFound(path);
    const rest = m[2]!;
    if (req.method === 'GET' && rest === '.json') return { status: 200, json: accountResource(account) };
    if (req.method === 'GET' && rest === '/IncomingPhoneNumbers.json') {
      return { status: 200, json: listNumbers(account, query) };
    }
    if (req.method === 'POST' && rest === '/Messages.json') {
      return { status: 201, json: createMessage(account, form ?? new URLSearchParams()) };
    }
    const mediaPath = /^\/Messages\/(?:SM|MM)[0-9a-f]{32}\/Media\/(ME[0-9a-f]{32})$/.exec(rest);
    if (req.method === 'GET' && mediaPath && media.has(mediaPath[1]!)) {
      return { status: 307, redirect: `${base}/mms-media/${mediaPath[1]}` };
    }
    throw notFound(path);
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const contentType = req.headers['content-type'];
    const form =
      req.method === 'POST' && contentType?.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(raw.toString('utf8'))
        : undefined;
    const record: FakeTwilioRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      contentType,
      form,
      status: 0,
    };
    state.requests.push(record);
    try {
      const answer = route(req, url.pathname, url.searchParams, form, record);
      record.status = answer.status;
      if (answer.redirect) {
        res.writeHead(answer.status, { location: answer.redirect }).end();
      } else if (answer.file) {
        res.writeHead(200, { 'content-type': answer.file.contentType }).end(answer.file.body);
      } else {
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      }
    } catch (err) {
      if (!(err instanceof TwilioError)) {
        record.status = 500;
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      record.status = err.status;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (err.status === 401) headers['www-authenticate'] = 'Basic realm="Twilio API"';
      res.writeHead(err.status, headers).end(
        JSON.stringify({
          code: err.code,
          ...(err.detail ? { detail: err.detail } : {}),
          message: err.message,
          more_info: `https://www.twilio.com/docs/errors/${err.code}`,
          status: err.status,
        }),
      );
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    state,
    /**
     * Media Twilio holds for an incoming MMS; returns its MediaUrl as Twilio gives it (on api.twilio.com, which
     * the app must map onto TWILIO_API_BASE_URL).
     */
    addMedia(accountSid: string, messageSid: string, contentType: string, body: Buffer): string {
      const mediaSid = sid('ME');
      media.set(mediaSid, { contentType, body });
      return `https://api.twilio.com${API}/Accounts/${accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
    },
    /** Messages.json POSTs made with this account's credentials. */
    sentBy(accountSid: string): FakeTwilioMessage[] {
      return state.messages.filter((m) => m.accountSid === accountSid);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;

/** A fresh Account SID (AC + 32 hex), message SID (SM/MM + 32 hex). */
export const newAccountSid = () => sid('AC');
export const newMessageSid = (mms = false) => sid(mms ? 'MM' : 'SM');
