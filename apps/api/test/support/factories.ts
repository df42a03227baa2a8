import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { ApiKeyScope, TenantRole, TenantStatus } from '@orbitdesk/shared';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Database } from '../../src/db/database.js';
import { channels, contacts, conversations, tenants, users } from '../../src/db/schema/index.js';
import { http } from './test-app.js';

export const DEFAULT_PASSWORD = 'Correct-horse-battery-1';
// Hashing once keeps factories fast; every user made here shares this password unless told otherwise.
let defaultHash: Promise<string> | undefined;
const passwordHash = (password: string) =>
  password === DEFAULT_PASSWORD ? (defaultHash ??= hash(DEFAULT_PASSWORD)) : hash(password);

const uniq = () => randomBytes(4).toString('hex');

export async function makeTenant(
  db: Database,
  overrides: Partial<{ name: string; slug: string; status: TenantStatus; statusReason: string }> = {},
) {
  const id = uniq();
  const [row] = await db.unsafe
    .insert(tenants)
    .values({ name: `Tenant ${id}`, slug: `tenant-${id}`, status: 'ACTIVE', ...overrides })
    .returning();
  return row!;
}

export async function makeUser(
  db: Database,
  tenantId: string,
  overrides: Partial<{
    email: string;
    name: string;
    role: TenantRole;
    password: string;
    isActive: boolean;
  }> = {},
) {
  const { password = DEFAULT_PASSWORD, ...rest } = overrides;
  const id = uniq();
  const [row] = await db.unsafe
    .insert(users)
    .values({
      tenantId,
      email: `user-${id}@example.test`,
      name: `User ${id}`,
      role: 'AGENT',
      passwordHash: await passwordHash(password),
      ...rest,
    })
    .returning();
  return { ...row!, password };
}

export async function login(app: NestFastifyApplication, email: string, password = DEFAULT_PASSWORD) {
  const res = await http(app, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200)
    throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('od_refresh='));
  return {
    token: res.body.accessToken as string,
    refreshCookie: setCookie ? String(setCookie).split(';')[0]!.split('=')[1]! : undefined,
    body: res.body,
  };
}

/** An ACTIVE tenant with one user of the given role, logged in. */
export async function makeTenantWithUser(
  app: NestFastifyApplication,
  db: Database,
  role: TenantRole = 'ADMIN',
) {
  const tenant = await makeTenant(db);
  const user = await makeUser(db, tenant.id, { role });
  const { token } = await login(app, user.email);
  return { tenant, user, token };
}

export async function makeApiKey(
  app: NestFastifyApplication,
  adminToken: string,
  scopes: ApiKeyScope[],
  extra: { name?: string; expiresAt?: string } = {},
) {
  const res = await http(app, 'POST', '/api/v1/api-keys', {
    token: adminToken,
    body: {
      name: extra.name ?? `key ${uniq()}`,
      scopes,
      ...(extra.expiresAt ? { expiresAt: extra.expiresAt } : {}),
    },
  });
  if (res.status !== 201)
    throw new Error(`api key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; key: string };
}

/** A conversation written straight to the tables, with its own api inbox and contact unless given. */
export async function makeConversation(
  db: Database,
  tenantId: string,
  overrides: Partial<typeof conversations.$inferInsert> & { contactName?: string } = {},
) {
  const { contactName = 'Customer', ...values } = overrides;
  const channelId =
    values.channelId ??
    (await db.unsafe.insert(channels).values({ tenantId, type: 'api', name: 'API' }).returning())[0]!.id;
  const contactId =
    values.contactId ??
    (await db.unsafe.insert(contacts).values({ tenantId, name: contactName }).returning())[0]!.id;
  const [row] = await db.unsafe
    .insert(conversations)
    .values({ tenantId, number: Math.floor(Math.random() * 1e9), ...values, channelId, contactId })
    .returning();
  return row!;
}
