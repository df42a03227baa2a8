import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, startAiServer, TENANT_ID, type TestAiServer } from './support/ai-server.js';

const localCompletion = {
  provider: { provider: 'local', model: 'orbitdesk-local-1' },
  messages: [{ role: 'user', content: 'Hello there' }],
};

let ai: TestAiServer;
beforeAll(async () => {
  ai = await startAiServer();
});
afterAll(() => ai.close());

function expectError(res: { status: number; body: any }, status: number, message: RegExp) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(res.body.statusCode).toBe(status);
  expect(typeof res.body.error).toBe('string');
  expect(res.body.message).toMatch(message);
}

describe('health', () => {
  it('answers without a token and lists the providers', async () => {
    const res = await fetch(`${ai.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      providers: ['local', 'openai', 'anthropic', 'gemini', 'mistral', 'deepseek', 'xai'],
    });
  });
});

describe('internal token', () => {
  it('accepts a token as the API mints it', async () => {
    const res = await ai.post('/chat/completion', localCompletion);
    expect(res.status).toBe(200);
  });

  it('refuses a request without a token', async () => {
    expectError(await ai.post('/chat/completion', localCompletion, null), 401, /missing bearer token/);
  });

  it('refuses a token that is not a JWT, and a non-Bearer scheme', async () => {
    expectError(await ai.post('/chat/completion', localCompletion, 'not-a-jwt'), 401, /malformed/);
    const res = await fetch(`${ai.url}/chat/completion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${await signToken()}` },
      body: JSON.stringify(localCompletion),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signToken({ secret: 'another-secret-that-is-long-enough-0123456789' });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /signature/);
  });

  it('refuses an expired token', async () => {
    const token = await signToken({ issuedAtOffsetSeconds: -300, lifetimeSeconds: 120 });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /expired/);
  });

  it('refuses a token minted for the tool-callback direction (another audience)', async () => {
    const token = await signToken({ audience: 'orbitdesk-api-tools' });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /aud/);
  });

  it('refuses a token from another issuer', async () => {
    const token = await signToken({ issuer: 'someone-else' });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /iss/);
  });

  it('refuses a token that lives longer than two minutes', async () => {
    const token = await signToken({ lifetimeSeconds: 3600 });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /lifetime exceeds 120/);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const token = new UnsecuredJWT({ tenantId: TENANT_ID })
      .setIssuer('orbitdesk-api')
      .setAudience('orbitdesk-ai')
      .setIssuedAt()
      .setExpirationTime('60s')
      .encode();
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /invalid token/);
  });

  it('refuses a token without tenantId', async () => {
    const token = await signToken({ tenantId: null });
    expectError(await ai.post('/chat/completion', localCompletion, token), 401, /tenantId/);
  });

  it('guards unknown routes too, and answers 404 to a valid token', async () => {
    expectError(await ai.post('/nope', {}, null), 401, /missing bearer token/);
    expectError(await ai.post('/nope', {}), 404, /POST \/nope not found/);
  });
});

describe('request validation', () => {
  it('names the offending fields', async () => {
    const res = await ai.post('/chat/completion', {
      provider: { provider: 'nobody', model: 'x' },
      messages: [],
      extra: true,
    });
    expectError(res, 400, /body\.provider\.provider/);
    expect(res.body.message).toMatch(/body\.messages/);
    expect(res.body.message).toMatch(/unknown property extra/);
  });

  it('refuses a body that is not JSON', async () => {
    expectError(await ai.post('/chat/completion', '{"provider":'), 400, /JSON/i);
  });

  it('refuses a missing body', async () => {
    const res = await fetch(`${ai.url}/classify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken()}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Validation failed/);
  });

  it('refuses a remote provider without an apiKey', async () => {
    const res = await ai.post('/chat/completion', {
      ...localCompletion,
      provider: { provider: 'openai', model: 'gpt-4o-mini' },
    });
    expectError(res, 400, /openai needs an apiKey/);
  });

  it('refuses a body over 2 MB', async () => {
    const res = await ai.post('/chat/completion', { ...localCompletion, system: 'x'.repeat(2_200_000) });
    expect(res.status).toBe(413);
    expect(res.body.statusCode).toBe(413);
  });

  it('refuses an agent request for another tenant than the token names', async () => {
    const token = await signToken({ tenantId: 'a-different-tenant' });
    const res = await ai.post(
      '/api/v1/agent/chat',
      {
        provider: { provider: 'local', model: 'orbitdesk-local-1' },
        agent: { id: 'a1', name: 'Ava', mode: 'rag', systemPrompt: '', tools: [] },
        tenant: { id: TENANT_ID, name: 'Acme' },
        contact: { id: 'c1', name: null, phone: null, email: null, tags: [], customFields: {} },
        conversation: { id: 'v1', number: 1, channelType: 'whatsapp' },
        message: 'hi',
      },
      token,
    );
    expectError(res, 401, /another tenant/);
  });
});
