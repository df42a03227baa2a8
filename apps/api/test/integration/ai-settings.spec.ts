import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AI_DEFAULT_MODELS } from '@orbitdesk/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { AiProviderResolver } from '../../src/modules/ai-settings/ai-provider.resolver.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/**
 * A loopback OpenAI chat-completions endpoint (POST /v1/chat/completions): a Bearer key it knows gets a
 * `chat.completion` object, any other key OpenAI's 401 error body. It records the keys it was shown.
 */
async function startOpenAiEndpoint(validKey: string) {
  const seenKeys: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      seenKeys.push(key);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return send(404, {
          error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null },
        });
      }
      if (key !== validKey) {
        return send(401, {
          error: {
            message: `Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        });
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      send(200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'ok', refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    seenKeys,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type SettingsRow = {
  provider: string;
  model: string;
  api_key_sealed: string | null;
  api_key_last4: string | null;
  base_url: string | null;
};

describe('AI settings', () => {
  let ctx: TestContext;
  let ai: RunningAiService;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentA: string;
  let managerA: string;

  const row = async (tenantId: string) =>
    (
      await ctx.database.unsafe.execute<SettingsRow>(
        sql`select provider, model, api_key_sealed, api_key_last4, base_url from ai_settings where tenant_id = ${tenantId}`,
      )
    ).rows[0];
  const put = (token: string, body: unknown) => http(ctx.app, 'PUT', '/api/v1/ai/settings', { token, body });

  beforeAll(async () => {
    ai = await startAiService();
    // The OpenAI endpoint of the test runs on loopback, which a base URL may only name on self-hosted installs.
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url, OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' } });
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    agentA = (await login(ctx.app, (await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' })).email))
      .token;
    managerA = (await login(ctx.app, (await makeUser(ctx.database, A.tenant.id, { role: 'MANAGER' })).email))
      .token;
  });
  afterAll(async () => {
    await ctx?.close();
    await ai?.close();
  });

  it('a workspace that never saved them gets the defaults, for any signed-in user', async () => {
    const res = await http(ctx.app, 'GET', '/api/v1/ai/settings', { token: agentA });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      provider: 'local',
      model: AI_DEFAULT_MODELS.local,
      apiKeyLast4: null,
      baseUrl: null,
      understandingEnabled: true,
      updatedAt: null,
    });
    expect(await row(A.tenant.id)).toBeUndefined();
  });

  it('agents and managers cannot change them', async () => {
    for (const token of [agentA, managerA]) {
      const res = await put(token, { provider: 'local', understandingEnabled: false });
      expect(res.status).toBe(403);
    }
    expect(await row(A.tenant.id)).toBeUndefined();
    expect((await http(ctx.app, 'POST', '/api/v1/ai/settings/test', { token: agentA })).status).toBe(403);
  });

  it('a provider other than local needs a key', async () => {
    const res = await put(A.token, { provider: 'openai' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('OpenAI needs an API key');
    expect(await row(A.tenant.id)).toBeUndefined();
  });

  it('stores the key sealed to the tenant and shows only its last 4 characters', async () => {
    const key = 'sk-proj-secret-value-4321';
    const res = await put(A.token, { provider: 'openai', apiKey: key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      provider: 'openai',
      model: AI_DEFAULT_MODELS.openai,
      apiKeyLast4: '4321',
      baseUrl: null,
      understandingEnabled: true,
    });
    expect(JSON.stringify(res.body)).not.toContain('secret-value');
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    const stored = (await row(A.tenant.id))!;
    expect(stored.api_key_last4).toBe('4321');
    expect(stored.api_key_sealed).toMatch(/^v1:/);
    expect(stored.api_key_sealed).not.toContain('secret-value');
    const box = ctx.app.get(SecretBox);
    expect(box.decrypt(stored.api_key_sealed!, A.tenant.id)).toBe(key);
    // Bound to the tenant: the same ciphertext copied into another workspace does not open.
    expect(() => box.decrypt(stored.api_key_sealed!, B.tenant.id)).toThrow();
    expect(await ctx.app.get(AiProviderResolver).chatConfigFor(A.tenant.id)).toMatchObject({
      provider: 'openai',
      model: AI_DEFAULT_MODELS.openai,
      apiKey: key,
    });

    const audit = (
      await ctx.database.unsafe.execute<{ action: string; metadata: Record<string, unknown> }>(
        sql`select action, metadata from audit_logs where tenant_id = ${A.tenant.id} and action = 'ai_settings.updated'`,
      )
    ).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata).toMatchObject({ provider: 'openai', apiKeyChanged: true });
    expect(JSON.stringify(audit)).not.toContain('secret-value');

    const read = await http(ctx.app, 'GET', '/api/v1/ai/settings', { token: agentA });
    expect(read.body).toEqual(res.body);
  });

  it('keeps the stored key for the same provider, and drops it when the provider changes', async () => {
    const kept = await put(A.token, { provider: 'openai', model: 'gpt-4o' });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ provider: 'openai', model: 'gpt-4o', apiKeyLast4: '4321' });
    const sealedBefore = (await row(A.tenant.id))!.api_key_sealed;
    expect(sealedBefore).not.toBeNull();

    // The OpenAI key is not Anthropic's: without a new key the change is refused and nothing is touched.
    const refused = await put(A.token, { provider: 'anthropic' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('Anthropic needs an API key');
    expect(await row(A.tenant.id)).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      api_key_sealed: sealedBefore,
    });

    const switched = await put(A.token, { provider: 'anthropic', apiKey: 'sk-ant-another-key-8765' });
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({
      provider: 'anthropic',
      model: AI_DEFAULT_MODELS.anthropic,
      apiKeyLast4: '8765',
    });

    const local = await put(A.token, { provider: 'local' });
    expect(local.status).toBe(200);
    expect(local.body).toMatchObject({
      provider: 'local',
      model: AI_DEFAULT_MODELS.local,
      apiKeyLast4: null,
    });
    expect(await row(A.tenant.id)).toMatchObject({ api_key_sealed: null, api_key_last4: null });

    // A key can also be removed outright, which a non-local provider refuses.
    await put(A.token, { provider: 'mistral', apiKey: 'mistral-key-0000' });
    const removed = await put(A.token, { provider: 'mistral', apiKey: null });
    expect(removed.status).toBe(400);
    expect(removed.body.message).toBe('Mistral needs an API key');
    expect((await row(A.tenant.id))!.api_key_last4).toBe('0000');
    await put(A.token, { provider: 'local' });
  });

  it('refuses base URLs the AI service must not be sent to, and bad input, with a 400', async () => {
    for (const baseUrl of ['http://169.254.169.254/latest/', 'ftp://files.example.test/v1']) {
      const res = await put(A.token, { provider: 'openai', apiKey: 'sk-whatever-1111', baseUrl });
      expect(res.status, baseUrl).toBe(400);
      expect(res.body.message).toContain('body.baseUrl');
    }
    for (const body of [
      { provider: 'skynet' },
      { provider: 'openai', apiKey: 'short' },
      { provider: 'local', extra: true },
      { provider: 'local', baseUrl: 'not a url' },
    ]) {
      const res = await put(A.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await row(A.tenant.id)).toMatchObject({ provider: 'local', api_key_sealed: null });
  });

  it("one workspace's settings are invisible to and untouched by another", async () => {
    await put(A.token, { provider: 'openai', apiKey: 'sk-tenant-a-key-aaaa', understandingEnabled: false });
    const seenByB = await http(ctx.app, 'GET', '/api/v1/ai/settings', { token: B.token });
    expect(seenByB.body).toMatchObject({ provider: 'local', apiKeyLast4: null, understandingEnabled: true });

    const savedByB = await put(B.token, { provider: 'gemini', apiKey: 'gemini-key-bbbb' });
    expect(savedByB.status).toBe(200);
    expect(await row(A.tenant.id)).toMatchObject({ provider: 'openai', api_key_last4: 'aaaa' });
    expect(await row(B.tenant.id)).toMatchObject({ provider: 'gemini', api_key_last4: 'bbbb' });
    const seenByA = await http(ctx.app, 'GET', '/api/v1/ai/settings', { token: A.token });
    expect(seenByA.body).toMatchObject({
      provider: 'openai',
      apiKeyLast4: 'aaaa',
      understandingEnabled: false,
    });
  });

  describe('test', () => {
    it('answers ok with the local model', async () => {
      const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const res = await http(ctx.app, 'POST', '/api/v1/ai/settings/test', { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, provider: 'local', model: AI_DEFAULT_MODELS.local });
      expect(res.body.message).toMatch(/^The local model answered/);
    });

    it("reaches the provider with the stored key, and passes on the provider's refusal as ok: false", async () => {
      const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const goodKey = 'sk-good-key-0123456789';
      const openai = await startOpenAiEndpoint(goodKey);
      try {
        const saved = await put(admin.token, {
          provider: 'openai',
          apiKey: goodKey,
          baseUrl: openai.baseUrl,
        });
        expect(saved.status).toBe(200);
        expect(saved.body.baseUrl).toBe(openai.baseUrl);
        const ok = await http(ctx.app, 'POST', '/api/v1/ai/settings/test', { token: admin.token });
        expect(ok.status).toBe(200);
        expect(ok.body).toEqual({
          ok: true,
          provider: 'openai',
          model: AI_DEFAULT_MODELS.openai,
          message: 'OpenAI answered: "ok"',
        });
        expect(openai.seenKeys).toContain(goodKey);

        // The base URL is kept when only the key changes.
        await put(admin.token, { provider: 'openai', apiKey: 'sk-wrong-key-98765' });
        const refused = await http(ctx.app, 'POST', '/api/v1/ai/settings/test', { token: admin.token });
        expect(refused.status).toBe(200);
        expect(refused.body).toMatchObject({
          ok: false,
          provider: 'openai',
          model: AI_DEFAULT_MODELS.openai,
        });
        expect(refused.body.message).toContain('Incorrect API key provided');
        expect(refused.body.message).not.toContain('sk-wrong-key-98765');
        expect(openai.seenKeys.at(-1)).toBe('sk-wrong-key-98765');
      } finally {
        await openai.close();
      }
    });

    it('says so plainly when the AI service cannot be reached', async () => {
      const down = await startTestApp({ db: ctx.db, env: { AI_SERVICE_URL: 'http://127.0.0.1:9' } });
      try {
        const admin = await makeTenantWithUser(down.app, down.database, 'ADMIN');
        const res = await http(down.app, 'POST', '/api/v1/ai/settings/test', { token: admin.token });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ ok: false, provider: 'local' });
        expect(res.body.message).toMatch(/AI service unreachable/);
      } finally {
        await down.close();
      }
    });
  });
});
