import { describe, expect, it } from 'vitest';
import { roleAtLeast } from '../constants/roles.js';
import { ZCreateApiKeyRequest } from './api-keys.js';
import { ZLoginRequest, ZRegisterRequest } from './auth.js';
import { ZCursorQuery } from './common.js';
import { ZUpdateUserRequest } from './users.js';

describe('roles', () => {
  it('orders tenant roles ADMIN ⊇ MANAGER ⊇ AGENT', () => {
    expect(roleAtLeast('ADMIN', 'MANAGER')).toBe(true);
    expect(roleAtLeast('MANAGER', 'AGENT')).toBe(true);
    expect(roleAtLeast('AGENT', 'MANAGER')).toBe(false);
    expect(roleAtLeast('MANAGER', 'ADMIN')).toBe(false);
  });
});

describe('contracts', () => {
  it('lower-cases emails and rejects unknown properties', () => {
    expect(ZLoginRequest.parse({ email: 'Ada@Example.COM', password: 'x' }).email).toBe('ada@example.com');
    const r = ZLoginRequest.safeParse({ email: 'a@b.co', password: 'x', admin: true });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('requires a 10-character password at registration', () => {
    const r = ZRegisterRequest.safeParse({
      companyName: 'Acme',
      name: 'A',
      email: 'a@b.co',
      password: 'short',
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['password']);
  });

  it('rejects repeated or unknown API-key scopes and past expiry', () => {
    expect(
      ZCreateApiKeyRequest.safeParse({ name: 'k', scopes: ['contacts:read', 'contacts:read'] }).success,
    ).toBe(false);
    expect(ZCreateApiKeyRequest.safeParse({ name: 'k', scopes: ['root:all'] }).success).toBe(false);
    expect(
      ZCreateApiKeyRequest.safeParse({
        name: 'k',
        scopes: ['contacts:read'],
        expiresAt: '2001-01-01T00:00:00Z',
      }).success,
    ).toBe(false);
    expect(ZCreateApiKeyRequest.safeParse({ name: 'k', scopes: ['contacts:read'] }).success).toBe(true);
  });

  it('coerces and bounds the page size', () => {
    expect(ZCursorQuery.parse({ limit: '10' }).limit).toBe(10);
    expect(ZCursorQuery.parse({}).limit).toBe(25);
    expect(ZCursorQuery.safeParse({ limit: '1000' }).success).toBe(false);
  });

  it('refuses an empty update', () => {
    expect(ZUpdateUserRequest.safeParse({}).success).toBe(false);
  });
});
