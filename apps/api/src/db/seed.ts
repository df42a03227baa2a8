import { hash } from '@node-rs/argon2';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { TenantRole, TenantStatus } from '@orbitdesk/shared';
import { loadDotenv } from '../config/dotenv.js';
import * as schema from './schema/index.js';

export const DEMO_PASSWORD = 'OrbitDesk!demo1';

const DEMO_TENANTS: {
  slug: string;
  name: string;
  status: TenantStatus;
  users: { email: string; name: string; role: TenantRole }[];
}[] = [
  {
    slug: 'acme',
    name: 'Acme Support',
    status: 'ACTIVE',
    users: [
      { email: 'admin@acme.test', name: 'Ada Admin', role: 'ADMIN' },
      { email: 'manager@acme.test', name: 'Max Manager', role: 'MANAGER' },
      { email: 'agent@acme.test', name: 'Alex Agent', role: 'AGENT' },
    ],
  },
  // Waits for approval, so the superadmin panel has something to decide on.
  {
    slug: 'globex',
    name: 'Globex Corp',
    status: 'PENDING',
    users: [{ email: 'owner@globex.test', name: 'Gina Owner', role: 'ADMIN' }],
  },
];

/**
 * Demo data for a local platform. Idempotent: every insert is "on conflict do nothing", so a second run changes
 * nothing (not even password hashes).
 */
export async function seed(
  databaseUrl: string,
  superadmin?: { email: string; password: string },
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const db = drizzle(client, { schema });
  try {
    await db.transaction(async (tx) => {
      const passwordHash = await hash(DEMO_PASSWORD);
      for (const t of DEMO_TENANTS) {
        await tx
          .insert(schema.tenants)
          .values({
            slug: t.slug,
            name: t.name,
            status: t.status,
            approvedAt: t.status === 'ACTIVE' ? new Date() : null,
          })
          .onConflictDoNothing({ target: schema.tenants.slug });
        const [tenant] = await tx.select().from(schema.tenants).where(eq(schema.tenants.slug, t.slug));
        for (const u of t.users) {
          await tx
            .insert(schema.users)
            .values({ ...u, tenantId: tenant!.id, passwordHash })
            .onConflictDoNothing();
        }
      }
      if (superadmin) {
        const [{ n } = { n: 0 }] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(schema.platformAdmins);
        if (n === 0) {
          await tx
            .insert(schema.platformAdmins)
            .values({
              email: superadmin.email.toLowerCase(),
              name: 'Platform admin',
              passwordHash: await hash(superadmin.password),
            })
            .onConflictDoNothing();
        }
      }
    });
  } finally {
    await client.end();
  }
}

const isMain = process.argv[1]?.endsWith('/db/seed.js') || process.argv[1]?.endsWith('/db/seed.ts');
if (isMain) {
  loadDotenv();
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL: is required');
    process.exit(1);
  }
  const { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password } = process.env;
  await seed(url, email && password ? { email, password } : undefined);
  console.log('Demo data is in place. Logins (password for demo users: %s):', DEMO_PASSWORD);
  for (const t of DEMO_TENANTS)
    for (const u of t.users) console.log(`  ${u.role.padEnd(8)} ${u.email}  (${t.name}, ${t.status})`);
  if (email) console.log(`  SUPERADMIN ${email}  (password: SUPERADMIN_PASSWORD from your .env)`);
}
