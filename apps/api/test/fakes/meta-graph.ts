import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Meta Graph API for Messenger and Instagram: the paths, methods, auth and error JSON of the real one.
 * Tokens are checked (Authorization: Bearer, or access_token as Graph also accepts), and so is appsecret_proof
 * (as for an app with "Require App Secret" on). Every request is recorded. Files are served from /cdn/ without
 * auth, as Meta's CDN links are.
 */

export interface FakeMetaAccount {
  /** The Page id (Messenger) or the Instagram professional account id. */
  id: string;
  kind: 'page' | 'instagram';
  /** The Page's name, or the Instagram username. */
  name: string;
  accessToken: string;
  appSecret: string;
  /** The token lacks `pages_manage_metadata`: Graph refuses to (un)subscribe the app to the Page. */
  cannotManagePage?: boolean;
}

/** A person as the Graph API shows them to the account (PSID or IGSID). */
export interface FakeMetaPerson {
  id: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  username?: string;
}

export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
}

export interface RecordedGraphRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** The account whose token authenticated the request, when it did. */
  account?: FakeMetaAccount;
  /** What the fake answered. */
  status?: number;
  answer?: any;
}

/** X-Hub-Signature-256 as Meta computes it: HMAC-SHA256 of the raw body bytes keyed with the app secret. */
export const metaSignature = (appSecret: string, rawBody: string | Buffer) =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

/** JSON the way Meta writes webhook bodies: `/` escaped as `\/` and every non-ASCII character as `\uXXXX`. */
export const metaJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The Page webhook fields an app may subscribe to (the Messenger ones among them). */
const PAGE_WEBHOOK_FIELDS = [
  'messages',
  'messaging_postbacks',
  'messaging_optins',
  'message_echoes',
  'message_deliveries',
  'message_reads',
  'messaging_referrals',
  'feed',
];

const ACCOUNT_FIELDS = { page: ['id', 'name'], instagram: ['id', 'username', 'name'] } as const;
const PERSON_FIELDS = ['id', 'first_name', 'last_name', 'name', 'username', 'profile_pic'];
const SENDER_ACTIONS = ['mark_seen', 'typing_on', 'typing_off'];
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file', 'template'];

const fail = (
  code: number,
  message: string,
  extra: Partial<GraphError> = {},
): { status: number; error: GraphError } => ({
  status: 400,
  error: { message, type: 'OAuthException', code, ...extra },
});

export async function startFakeMetaGraph(options: { version?: string } = {}) {
  const version = options.version ?? 'v21.0';
  const state = {
    accounts: [] as FakeMetaAccount[],
    people: new Map<string, FakeMetaPerson>(),
    files: new Map<string, { contentType: string; body: Buffer }>(),
    requests: [] as RecordedGraphRequest[],
    /** Answers for the next Send API calls, in order, instead of sending. */
    sendFailures: [] as { status: number; error: GraphError }[],
    /** Page id → the webhook fields the app is subscribed to (`POST /{page-id}/subscribed_apps`). */
    subscriptions: new Map<string, string[]>(),
  };

  const answer = (res: ServerResponse, status: number, body: unknown, rec?: RecordedGraphRequest) => {
    if (rec) Object.assign(rec, { status, answer: body });
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const answerError = (
    res: ServerResponse,
    f: { status: number; error: GraphError },
    rec: RecordedGraphRequest,
  ) =>
    answer(res, f.status, { error: { ...f.error, fbtrace_id: `A${randomBytes(8).toString('hex')}` } }, rec);

  function authenticate(rec: RecordedGraphRequest): FakeMetaAccount | { status: number; error: GraphError } {
    const header = rec.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : rec.query.access_token;
    if (!token) return fail(104, 'An access token is required to request this resource.');
    const account = state.accounts.find((a) => a.accessToken === token);
    if (!account) return fail(190, 'Invalid OAuth access token - Cannot parse access token');
    const proof = rec.query.appsecret_proof;
    if (!proof) return fail(100, 'API calls from the server require an appsecret_proof argument');
    const expected = createHmac('sha256', account.appSecret).update(token).digest('hex');
    if (proof !== expected) return fail(100, 'Invalid appsecret_proof provided in the API argument');
    return account;
  }

  function read(account: FakeMetaAccount, id: string, fieldsParam: string | undefined) {
    const fields = (fieldsParam ?? 'id').split(',').filter(Boolean);
    if (id === account.id) {
      const allowed: readonly string[] = ACCOUNT_FIELDS[account.kind];
      const bad = fields.find((f) => !allowed.includes(f));
      if (bad) {
        return fail(
          100,
          `(#100) Tried accessing nonexisting field (${bad}) on node type (${account.kind === 'page' ? 'Page' : 'IGUser'})`,
        );
      }
      const node: Record<string, string> = { id: account.id, name: account.name, username: account.name };
      return {
        status: 200,
        body: { ...Object.fromEntries(fields.map((f) => [f, node[f]])), id: account.id },
      };
    }
    const person = state.people.get(id);
    if (person) {
      const bad = fields.find((f) => !PERSON_FIELDS.includes(f));
      if (bad) return fail(100, `(#100) Tried accessing nonexisting field (${bad}) on node type (User)`);
      const known = fields.filter((f) => (person as unknown as Record<string, unknown>)[f] !== undefined);
      return {
        status: 200,
        body: {
          ...Object.fromEntries(known.map((f) => [f, (person as unknown as Record<string, unknown>)[f]])),
          id,
        },
      };
    }
    return fail(
      100,
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      { type: 'GraphMethodException', error_subcode: 33 },
    );
  }

  function sendMessage(rec: RecordedGraphRequest) {
    if (!String(rec.headers['content-type'] ?? '').startsWith('application/json')) {
      return fail(100, '(#100) The parameter recipient is required');
    }
    const body = rec.json as Record<string, any> | undefined;
    if (!body || typeof body.recipient?.id !== 'string')
      return fail(100, '(#100) The parameter recipient is required');
    if (body.sender_action !== undefined) {
      // Sender actions (typing, seen) carry no message and no messaging_type; Meta answers with the recipient only.
      if (!SENDER_ACTIONS.includes(body.sender_action) || body.message !== undefined)
        return fail(100, '(#100) Param sender_action must be one of {mark_seen, typing_on, typing_off}');
      if (!state.people.has(body.recipient.id)) {
        return fail(100, '(#100) No matching user found', { error_subcode: 2018001 });
      }
      return { status: 200, body: { recipient_id: body.recipient.id } };
    }
    if (!MESSAGING_TYPES.includes(body.messaging_type)) {
      return fail(100, '(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    }
    const message = body.message as Record<string, any> | undefined;
    const hasText = typeof message?.text === 'string' && message.text.length > 0;
    const hasAttachment = typeof message?.attachment === 'object' && message.attachment !== null;
    if (!message || hasText === hasAttachment) return fail(100, '(#100) Must send either message or state');
    if (hasAttachment) {
      const a = message.attachment;
      if (!ATTACHMENT_TYPES.includes(a.type))
        return fail(100, '(#100) Param message[attachment][type] is invalid');
      if (a.type !== 'template' && !/^https?:\/\//.test(String(a.payload?.url ?? ''))) {
        return fail(100, '(#100) Param message[attachment][payload][url] must be a valid URL');
      }
    }
    const failure = state.sendFailures.shift();
    if (failure) return failure;
    if (!state.people.has(body.recipient.id)) {
      return fail(100, '(#100) No matching user found', { error_subcode: 2018001 });
    }
    return {
      status: 200,
      body: { recipient_id: body.recipient.id, message_id: `m_${randomBytes(12).toString('base64url')}` },
    };
  }

  /**
   * `POST /{page-id}/subscribed_apps` (fields in `subscribed_fields`, comma-separated, in the query or the body) and
   * `DELETE` of the same edge, as Graph answers them for a Page token: `{success: true}`; (#200) without
   * `pages_manage_metadata`; (#100) for another node or an unknown field.
   */
  function subscribeApp(auth: FakeMetaAccount, node: string, rec: RecordedGraphRequest) {
    if (auth.kind !== 'page' || node !== auth.id) {
      return fail(
        100,
        `(#100) Unsupported ${rec.method.toLowerCase()} request. Object with ID '${node}' does not exist`,
      );
    }
    if (auth.cannotManagePage) {
      return fail(200, '(#200) Requires pages_manage_metadata permission to manage the object');
    }
    if (rec.method === 'DELETE') {
      state.subscriptions.delete(node);
      return { status: 200, body: { success: true } };
    }
    const raw =
      rec.query.subscribed_fields ?? (rec.json as Record<string, unknown> | undefined)?.subscribed_fields;
    const fields = typeof raw === 'string' ? raw.split(',').filter(Boolean) : [];
    if (!fields.length) return fail(100, '(#100) The parameter subscribed_fields is required');
    const unknown = fields.find((f) => !PAGE_WEBHOOK_FIELDS.includes(f));
    if (unknown)
      return fail(
        100,
        `(#100) Param subscribed_fields[0] must be one of {${PAGE_WEBHOOK_FIELDS.join(', ')}}`,
      );
    state.subscriptions.set(node, fields);
    return { status: 200, body: { success: true } };
  }

  function route(rec: RecordedGraphRequest, res: ServerResponse) {
    const file = /^\/cdn\/([^/]+)$/.exec(rec.path);
    if (file && rec.method === 'GET') {
      const found = state.files.get(decodeURIComponent(file[1]!));
      if (!found) return answer(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': found.contentType, 'content-length': found.body.length });
      return res.end(found.body);
    }
    const m = new RegExp(`^/${version.replace('.', '\\.')}/([^/]+)(?:/([^/]+))?$`).exec(rec.path);
    if (!m) return answerError(res, fail(2500, `Unknown path components: ${rec.path}`), rec);
    const auth = authenticate(rec);
    if ('error' in auth) return answerError(res, auth, rec);
    rec.account = auth;
    const [, node, edge] = m;
    let outcome: { status: number; body?: unknown; error?: GraphError };
    if (rec.method === 'GET' && !edge) {
      outcome = read(auth, node === 'me' ? auth.id : node!, rec.query.fields);
    } else if (rec.method === 'POST' && edge === 'messages' && (node === 'me' || node === auth.id)) {
      outcome = sendMessage(rec);
    } else if (edge === 'subscribed_apps' && (rec.method === 'POST' || rec.method === 'DELETE')) {
      outcome = subscribeApp(auth, node!, rec);
    } else {
      outcome = fail(100, `(#100) Unsupported ${rec.method.toLowerCase()} request.`);
    }
    if (outcome.error) return answerError(res, outcome as { status: number; error: GraphError }, rec);
    answer(res, outcome.status, outcome.body, rec);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.graph');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: RecordedGraphRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        json,
      };
      state.requests.push(rec);
      route(rec, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    state,
    url,
    version,
    addAccount(account: FakeMetaAccount) {
      state.accounts.push(account);
      return account;
    },
    addPerson(person: FakeMetaPerson) {
      state.people.set(person.id, person);
      return person;
    },
    /** Serves `body` at a CDN-like URL, as Meta's attachment links do. */
    addFile(name: string, contentType: string, body: Buffer) {
      state.files.set(name, { contentType, body });
      return `${url}/cdn/${encodeURIComponent(name)}`;
    },
    failNextSend(status: number, error: GraphError) {
      state.sendFailures.push({ status, error });
    },
    /** The Send API calls that reached the fake, for one recipient. */
    sendsTo(recipientId: string) {
      return state.requests.filter((r) => r.method === 'POST' && r.json?.recipient?.id === recipientId);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeMetaGraph = Awaited<ReturnType<typeof startFakeMetaGraph>>;
