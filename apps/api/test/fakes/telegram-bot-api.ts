import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Telegram Bot API (https://core.telegram.org/bots/api) for tests: `/bot<token>/<method>` with
 * parameters in the query string, JSON, x-www-form-urlencoded or multipart/form-data, `/file/bot<token>/<path>`
 * downloads, and Telegram's envelopes (`{ok:true, result}` / `{ok:false, error_code, description}`). The token in
 * the path is checked against the bots it knows: malformed → 404 Not Found, unknown or revoked → 401
 * Unauthorized, as Telegram answers. Bots can write only to chats that started them (`startChat`).
 */

export interface FakeBot {
  id: number;
  token: string;
  username: string;
  firstName: string;
  webhook: {
    url: string;
    secretToken?: string;
    allowedUpdates?: unknown;
    dropPendingUpdates?: unknown;
  } | null;
  /** Chats that started the bot; the others answer "chat not found". */
  chats: Set<string>;
  /** Chats whose user blocked the bot: 403. */
  blocked: Set<string>;
}

export interface UploadedFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedCall {
  botId: number;
  method: string;
  /** The request's content type without parameters: application/json, multipart/form-data, ... */
  contentType: string;
  params: Record<string, unknown>;
  files: Record<string, UploadedFile>;
  /** What the method answered (a sent message), when it succeeded. */
  result?: unknown;
}

interface StoredFile {
  botToken: string;
  fileId: string;
  fileUniqueId: string;
  data: Buffer;
  /** Undefined for a file over the Bot API's 20 MB download limit. */
  filePath?: string;
}

class BotApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

const TOKEN = /^(\d+):[A-Za-z0-9_-]{30,64}$/;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MEDIA_FIELDS: Record<string, string> = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendVideo: 'video',
  sendAudio: 'audio',
  sendVoice: 'voice',
  sendSticker: 'sticker',
};

export async function startFakeTelegram() {
  const bots = new Map<string, FakeBot>();
  const files = new Map<string, StoredFile>();
  const calls: RecordedCall[] = [];
  const failures: { method: string; error: BotApiError; skip: number }[] = [];
  let nextBotId = 7_000_000_000 + Math.floor(Math.random() * 1_000_000);
  let nextMessageId = 500;

  const botFor = (token: string): FakeBot => {
    if (!TOKEN.test(token)) throw new BotApiError(404, 'Not Found');
    const bot = bots.get(token);
    if (!bot) throw new BotApiError(401, 'Unauthorized');
    return bot;
  };

  const chatOf = (bot: FakeBot, params: Record<string, unknown>): string => {
    const chatId = params.chat_id;
    if (chatId === undefined || chatId === '') throw new BotApiError(400, 'Bad Request: chat_id is empty');
    if (typeof chatId !== 'string' && typeof chatId !== 'number') {
      throw new BotApiError(400, 'Bad Request: chat not found');
    }
    const id = String(chatId);
    if (bot.blocked.has(id)) throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    if (!bot.chats.has(id)) throw new BotApiError(400, 'Bad Request: chat not found');
    return id;
  };

  const sentMessage = (bot: FakeBot, chatId: string, extra: Record<string, unknown>) => ({
    message_id: nextMessageId++,
    from: { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username },
    chat: { id: Number(chatId), first_name: 'Customer', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...extra,
  });

  /** A file a send* method got: an upload becomes a file of the bot; a string is a URL or file_id as given. */
  const fileParam = (call: RecordedCall, field: string) => {
    const upload = call.files[field];
    const given = call.params[field];
    if (!upload && (typeof given !== 'string' || given === '')) {
      throw new BotApiError(400, `Bad Request: there is no ${field} in the request`);
    }
    const fileId = `F${randomBytes(12).toString('hex')}`;
    const size = upload?.data.length ?? 1234;
    return {
      file_id: fileId,
      file_unique_id: fileId.slice(0, 12),
      file_size: size,
      ...(upload ? { file_name: upload.fileName, mime_type: upload.contentType } : {}),
    };
  };

  const methods: Record<string, (bot: FakeBot, call: RecordedCall) => unknown> = {
    getMe: (bot) => ({
      id: bot.id,
      is_bot: true,
      first_name: bot.firstName,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    setWebhook: (bot, { params }) => {
      const url = typeof params.url === 'string' ? params.url : '';
      if (url === '') {
        bot.webhook = null;
        return true;
      }
      if (!url.startsWith('https://')) {
        throw new BotApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      }
      const secret = params.secret_token;
      if (secret !== undefined && (typeof secret !== 'string' || !SECRET_TOKEN.test(secret))) {
        throw new BotApiError(400, 'Bad Request: secret token contains unallowed characters');
      }
      bot.webhook = {
        url,
        secretToken: secret,
        allowedUpdates: params.allowed_updates,
        dropPendingUpdates: params.drop_pending_updates,
      };
      return true;
    },
    deleteWebhook: (bot) => {
      bot.webhook = null;
      return true;
    },
    getWebhookInfo: (bot) => ({
      url: bot.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 40,
      ...(bot.webhook?.allowedUpdates ? { allowed_updates: bot.webhook.allowedUpdates } : {}),
    }),
    getFile: (bot, { params }) => {
      const file = typeof params.file_id === 'string' ? files.get(params.file_id) : undefined;
      if (!file || file.botToken !== bot.token) throw new BotApiError(400, 'Bad Request: invalid file_id');
      if (!file.filePath) throw new BotApiError(400, 'Bad Request: file is too big');
      return {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        file_size: file.data.length,
        file_path: file.filePath,
      };
    },
    sendMessage: (bot, { params }) => {
      const chatId = chatOf(bot, params);
      const text = typeof params.text === 'string' ? params.text : '';
      if (!text.trim()) throw new BotApiError(400, 'Bad Request: message text is empty');
      if (text.length > 4096) throw new BotApiError(400, 'Bad Request: message is too long');
      return sentMessage(bot, chatId, { text });
    },
    sendLocation: (bot, { params }) => {
      const chatId = chatOf(bot, params);
      return sentMessage(bot, chatId, { location: coordinates(params) });
    },
    sendVenue: (bot, { params }) => {
      const chatId = chatOf(bot, params);
      const location = coordinates(params);
      return sentMessage(bot, chatId, {
        location,
        venue: { location, title: String(params.title), address: String(params.address) },
      });
    },
  };
  for (const [method, field] of Object.entries(MEDIA_FIELDS)) {
    methods[method] = (bot, call) => {
      const chatId = chatOf(bot, call.params);
      const file = fileParam(call, field);
      const media =
        field === 'photo'
          ? {
              photo: [
                { ...file, width: 90, height: 90 },
                { ...file, width: 800, height: 800 },
              ],
            }
          : { [field]: file };
      const caption = typeof call.params.caption === 'string' ? { caption: call.params.caption } : {};
      return sentMessage(bot, chatId, { ...media, ...caption });
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const download = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (download) {
      const [, token, path] = download;
      const file = [...files.values()].find(
        (f) => f.botToken === token && f.filePath === decodeURIComponent(path!),
      );
      if (!file || !bots.has(token!)) return void res.writeHead(404).end('Not Found');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file.data);
      return;
    }
    const route = url.pathname.match(/^\/bot([^/]*)\/([A-Za-z]+)$/);
    const body = await readBody(req);
    const reply = (status: number, payload: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    try {
      if (!route) throw new BotApiError(404, 'Not Found');
      const [, token, method] = route;
      const bot = botFor(token!);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const { params, files: uploads } = await parseParams(
        url,
        contentType,
        req.headers['content-type'],
        body,
      );
      const call: RecordedCall = { botId: bot.id, method: method!, contentType, params, files: uploads };
      calls.push(call);
      const failure = failures.findIndex((f) => f.method === method);
      if (failure >= 0 && failures[failure]!.skip-- === 0) throw failures.splice(failure, 1)[0]!.error;
      const impl = methods[method!];
      if (!impl) throw new BotApiError(404, 'Not Found: method not found');
      const result = impl(bot, call);
      call.result = result;
      reply(200, {
        ok: true,
        result,
        ...(method === 'setWebhook' ? { description: 'Webhook was set' } : {}),
        ...(method === 'deleteWebhook' ? { description: 'Webhook was deleted' } : {}),
      });
    } catch (err) {
      if (!(err instanceof BotApiError)) throw err;
      reply(err.status, {
        ok: false,
        error_code: err.status,
        description: err.description,
        ...(err.retryAfter !== undefined ? { parameters: { retry_after: err.retryAfter } } : {}),
      });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    bots,
    /** A bot as @BotFather makes it: a fresh id and a 35-character secret after the colon. */
    addBot(username = `bot${randomBytes(3).toString('hex')}_bot`, firstName = 'Support'): FakeBot {
      const id = nextBotId++;
      const bot: FakeBot = {
        id,
        token: `${id}:${randomBytes(26).toString('base64url')}`,
        username,
        firstName,
        webhook: null,
        chats: new Set(),
        blocked: new Set(),
      };
      bots.set(bot.token, bot);
      return bot;
    },
    /** The token stops working, as after /revoke in @BotFather. */
    revoke(bot: FakeBot): void {
      bots.delete(bot.token);
    },
    /** A file a user sent the bot; `tooBig` leaves it without a file_path, like one over 20 MB. */
    addFile(bot: FakeBot, data: Buffer, filePath: string, opts: { tooBig?: boolean } = {}) {
      const fileId = `AgAC${randomBytes(16).toString('base64url')}`;
      const file: StoredFile = {
        botToken: bot.token,
        fileId,
        fileUniqueId: `AQAD${randomBytes(6).toString('base64url')}`,
        data,
        ...(opts.tooBig ? {} : { filePath }),
      };
      files.set(fileId, file);
      return { file_id: fileId, file_unique_id: file.fileUniqueId, file_size: data.length };
    },
    /** The next call of `method` (after the token check; after `skip` more calls) answers this error, once. */
    failNext(method: string, status: number, description: string, retryAfter?: number, skip = 0): void {
      failures.push({ method, error: new BotApiError(status, description, retryAfter), skip });
    },
    callsTo(bot: FakeBot, method: string): RecordedCall[] {
      return calls.filter((c) => c.botId === bot.id && c.method === method);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;

function coordinates(params: Record<string, unknown>) {
  const latitude = Number(params.latitude);
  const longitude = Number(params.longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90) {
    throw new BotApiError(400, 'Bad Request: wrong latitude or longitude');
  }
  return { latitude, longitude };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Telegram takes parameters in the query string and in the body as JSON, a URL-encoded form or a multipart form;
 * in a form, arrays and objects are JSON-serialized strings.
 */
async function parseParams(
  url: URL,
  contentType: string,
  fullContentType: string | undefined,
  body: Buffer,
): Promise<{ params: Record<string, unknown>; files: Record<string, UploadedFile> }> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: Record<string, UploadedFile> = {};
  if (body.length === 0) return { params, files };
  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BotApiError(400, "Bad Request: can't parse JSON object");
    }
    return { params: { ...params, ...(parsed as Record<string, unknown>) }, files };
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    return {
      params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) },
      files,
    };
  }
  if (contentType === 'multipart/form-data') {
    const form = await new Request('http://fake/', {
      method: 'POST',
      headers: { 'content-type': fullContentType! },
      body,
    }).formData();
    for (const [name, value] of form) {
      if (typeof value === 'string') params[name] = value;
      else {
        files[name] = {
          fileName: value.name,
          contentType: value.type,
          data: Buffer.from(await value.arrayBuffer()),
        };
      }
    }
    return { params, files };
  }
  throw new BotApiError(400, 'Bad Request: unsupported content type');
}
