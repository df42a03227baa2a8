import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Meta Graph API for the WhatsApp Cloud API, speaking its wire format: versioned paths
 * (`/v21.0/...`), `Authorization: Bearer <token>` on every call (the media download included), JSON bodies, and
 * Graph's error JSON `{error:{message, type, code, error_subcode, fbtrace_id}}` with the statuses Graph uses.
 * Also signs webhook deliveries the way Meta does (metaJson + signWebhook).
 */

export interface GraphRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

interface TokenGrant {
  /** Phone number ids the token's system user was given. */
  numbers: string[];
  /** Holds whatsapp_business_messaging (else every call answers permission error #10). */
  canMessage: boolean;
}

interface PhoneNumber {
  displayPhoneNumber: string;
  verifiedName: string;
}

interface Media {
  phoneNumberId: string;
  bytes: Buffer;
  mimeType: string;
}

const SEND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'template',
  'interactive',
];

const graphError = (message: string, code: number, extra: Record<string, unknown> = {}) => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...extra,
    fbtrace_id: `A${randomBytes(8).toString('hex')}`,
  },
});

export async function startFakeGraph(version = 'v21.0') {
  const state = {
    version,
    tokens: new Map<string, TokenGrant>(),
    numbers: new Map<string, PhoneNumber>(),
    media: new Map<string, Media>(),
    requests: [] as GraphRequest[],
    /** Answers to the next POST .../messages calls (other than read receipts), in order, instead of success. */
    sendFailures: [] as { status: number; body: unknown }[],
    /** Wamids to answer the next successful sends with (else random ones). */
    nextMessageIds: [] as string[],
  };
  let base = '';

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };

  function handle(req: GraphRequest, res: ServerResponse): void {
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    const grant = auth ? state.tokens.get(auth[1]!) : undefined;
    if (!grant) {
      return reply(res, 401, graphError('Invalid OAuth access token - Cannot parse access token', 190));
    }
    // The media download URL (lookaside.fbsbx.com in production): bytes, to the same Bearer token.
    const download = /^\/whatsapp-media\/([^/]+)$/.exec(req.path);
    if (download && req.method === 'GET') {
      const media = state.media.get(decodeURIComponent(download[1]!));
      if (!media || !grant.numbers.includes(media.phoneNumberId)) return reply(res, 404, {});
      res.writeHead(200, { 'content-type': media.mimeType, 'content-length': media.bytes.length });
      return void res.end(media.bytes);
    }
    const [, v, id, edge, ...rest] = req.path.split('/');
    if (v !== state.version) {
      return reply(res, 400, graphError(`Unknown path components: /${v}`, 2500));
    }
    const missing = () =>
      reply(
        res,
        400,
        graphError(
          `Unsupported ${req.method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          100,
          { error_subcode: 33 },
        ),
      );
    const noPermission = () =>
      reply(res, 403, graphError('(#10) Application does not have permission for this action', 10));

    if (req.method === 'GET' && id && !edge) {
      const number = state.numbers.get(id);
      if (number) {
        if (!grant.numbers.includes(id)) return missing();
        if (!grant.canMessage) return noPermission();
        const fields = (req.query.get('fields') ?? '').split(',');
        return reply(res, 200, {
          ...(fields.includes('display_phone_number')
            ? { display_phone_number: number.displayPhoneNumber }
            : {}),
          ...(fields.includes('verified_name') ? { verified_name: number.verifiedName } : {}),
          id,
        });
      }
      const media = state.media.get(id);
      if (media && grant.numbers.includes(media.phoneNumberId)) {
        return reply(res, 200, {
          messaging_product: 'whatsapp',
          url: `${base}/whatsapp-media/${encodeURIComponent(id)}`,
          mime_type: media.mimeType,
          sha256: 'not-checked',
          file_size: media.bytes.length,
          id,
        });
      }
      return missing();
    }

    if (req.method === 'POST' && id && edge === 'messages' && rest.length === 0) {
      if (!state.numbers.has(id) || !grant.numbers.includes(id)) return missing();
      if (!grant.canMessage) return noPermission();
      if (!String(req.headers['content-type']).startsWith('application/json') || !req.json) {
        return reply(res, 400, graphError('(#100) The parameter messaging_product is required.', 100));
      }
      return send(req.json, res);
    }
    return reply(res, 400, graphError(`Unknown path components: ${req.path}`, 2500));
  }

  function send(body: any, res: ServerResponse): void {
    const invalid = (message: string) => reply(res, 400, graphError(message, 100));
    if (body.messaging_product !== 'whatsapp')
      return invalid('(#100) The parameter messaging_product is required.');
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') return invalid('(#100) The parameter message_id is required.');
      return reply(res, 200, { success: true });
    }
    if (typeof body.to !== 'string' || !body.to) return invalid('(#100) The parameter to is required.');
    if (!SEND_TYPES.includes(body.type) || typeof body[body.type] !== 'object') {
      return invalid(`(#100) Param ${body.type} is required.`);
    }
    if (body.type === 'text' && String(body.text.body ?? '').length > 4096) {
      return invalid("(#100) Param text['body'] must be at most 4096 characters long.");
    }
    if (body.type === 'template' && (!body.template.name || !body.template.language?.code)) {
      return invalid('(#100) The parameter template[language] is required.');
    }
    const failure = state.sendFailures.shift();
    if (failure) return reply(res, failure.status, failure.body);
    reply(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: state.nextMessageIds.shift() ?? `wamid.${randomBytes(12).toString('base64url')}` }],
    });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://graph.invalid');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: GraphRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
      };
      state.requests.push(recorded);
      handle(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    state,
    url: base,
    /** A phone number at Meta, and a token that may use it. */
    addNumber(phoneNumberId: string, number: PhoneNumber, token: string, canMessage = true) {
      state.numbers.set(phoneNumberId, number);
      const grant = state.tokens.get(token) ?? { numbers: [], canMessage };
      grant.numbers.push(phoneNumberId);
      grant.canMessage = canMessage;
      state.tokens.set(token, grant);
    },
    addMedia(mediaId: string, media: Media) {
      state.media.set(mediaId, media);
    },
    /** Requests to the Graph API proper (not media downloads) for one phone number's messages edge. */
    sends(phoneNumberId: string) {
      return state.requests.filter(
        (r) => r.method === 'POST' && r.path === `/${state.version}/${phoneNumberId}/messages`,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeGraph = Awaited<ReturnType<typeof startFakeGraph>>;

/** JSON as Meta serialises webhook bodies: every non-ASCII character escaped (`é` → `\u00e9`, emoji as pairs). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** X-Hub-Signature-256 as Meta computes it: HMAC-SHA256 of the exact body bytes, keyed with the app secret. */
export function signWebhook(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}

/** One `messages` change of a WhatsApp Business Account webhook, for one business phone number. */
export function waChange(
  phoneNumberId: string,
  value: { contacts?: unknown[]; messages?: unknown[]; statuses?: unknown[] },
) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550100100', phone_number_id: phoneNumberId },
      ...value,
    },
  };
}

export function waPayload(...entries: { id?: string; changes: unknown[] }[]) {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((e) => ({ id: e.id ?? '102290129340398', changes: e.changes })),
  };
}

export const waContact = (waId: string, name: string) => ({ profile: { name }, wa_id: waId });

export const unixNow = () => String(Math.floor(Date.now() / 1000));
