import { hash } from '@node-rs/argon2';
import { eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { TenantRole, TenantStatus } from '@orbitdesk/shared';
import { SecretBox } from '../common/crypto/secret-box.js';
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

/** Fixed ids, so a second run finds the demo inbox data it made the first time and adds nothing. */
const DEMO = {
  inbox: '00000000-0000-4000-8000-00000000d001',
  liveChat: '00000000-0000-4000-8000-00000000d002',
  contacts: [
    '00000000-0000-4000-8000-00000000d101',
    '00000000-0000-4000-8000-00000000d102',
    '00000000-0000-4000-8000-00000000d103',
    '00000000-0000-4000-8000-00000000d104',
    '00000000-0000-4000-8000-00000000d105',
  ],
  conversations: [
    '00000000-0000-4000-8000-00000000d201',
    '00000000-0000-4000-8000-00000000d202',
    '00000000-0000-4000-8000-00000000d203',
    '00000000-0000-4000-8000-00000000d204',
    '00000000-0000-4000-8000-00000000d205',
  ],
  team: '00000000-0000-4000-8000-00000000d301',
} as const;

/** A line of a demo thread: the contact's, a reply sent by a user (by email), or a user's private note. */
interface DemoLine {
  dir: 'in' | 'out';
  text: string;
  ago: number;
  by?: string;
  note?: boolean;
}

type SeedTx = Parameters<Parameters<ReturnType<typeof drizzle<typeof schema>>['transaction']>[0]>[0];

/**
 * Acme's inbox: an api inbox (so messages can be posted to it at once), five contacts and five conversations
 * with a short history, one in each state an agent meets (waiting for an answer, assigned to Alex in the Billing
 * team with a private note, pending the customer, snoozed until tomorrow, resolved). Returns the inbox's inbound
 * secret when this run created the inbox.
 */
async function seedInbox(tx: SeedTx, tenantId: string, box: SecretBox): Promise<string | undefined> {
  const [existing] = await tx
    .select({ id: schema.channels.id })
    .from(schema.channels)
    .where(eq(schema.channels.id, DEMO.inbox));
  if (existing) return undefined;
  const secret = randomBytes(32).toString('base64url');
  await tx.insert(schema.channels).values({
    id: DEMO.inbox,
    tenantId,
    type: 'api',
    name: 'Website (API)',
    config: { callbackUrl: 'https://example.com/orbitdesk-callback' },
    credentials: box.encrypt(JSON.stringify({ inboundSecret: secret }), tenantId),
  });
  const people = [
    {
      name: 'Maria Lopez',
      phone: '+14155552671',
      email: 'maria@example.com',
      tags: ['vip'],
      identifier: 'maria-lopez',
    },
    {
      name: 'Ken Tanaka',
      phone: '+442071838750',
      email: 'ken@example.com',
      tags: ['lead'],
      identifier: 'ken-tanaka',
    },
    { name: 'Priya Shah', phone: null, email: 'priya@example.com', tags: [], identifier: 'priya-shah' },
    {
      name: 'Lena Fischer',
      phone: '+4915112345678',
      email: 'lena@fischer-handel.example',
      tags: ['wholesale'],
      identifier: 'lena-fischer',
    },
    { name: 'Omar Haddad', phone: null, email: 'omar@example.com', tags: [], identifier: 'omar-haddad' },
  ];
  const users = await tx
    .select({ id: schema.users.id, email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.tenantId, tenantId));
  const userId = (email: string) => users.find((u) => u.email === email)?.id ?? null;
  await tx.insert(schema.teams).values({ id: DEMO.team, tenantId, name: 'Billing' });
  for (const email of ['manager@acme.test', 'agent@acme.test']) {
    const id = userId(email);
    if (id) await tx.insert(schema.teamMembers).values({ tenantId, teamId: DEMO.team, userId: id });
  }
  for (const [i, p] of people.entries()) {
    const { identifier, ...contact } = p;
    await tx.insert(schema.contacts).values({ id: DEMO.contacts[i], tenantId, ...contact });
    await tx
      .insert(schema.contactIdentities)
      .values({ tenantId, contactId: DEMO.contacts[i]!, channelType: 'api', identifier });
  }
  await tx.insert(schema.tenantSequences).values({ tenantId, name: 'conversation', value: 5 });
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  const tomorrowAtNine = new Date(now + 24 * 3_600_000);
  tomorrowAtNine.setHours(9, 0, 0, 0);
  const threads: {
    id: string;
    contact: string;
    number: number;
    status: 'open' | 'pending' | 'snoozed' | 'resolved';
    lines: DemoLine[];
    assignee?: string;
    team?: string;
    priority?: 'high';
    tags?: string[];
    snoozedUntil?: Date;
  }[] = [
    {
      id: DEMO.conversations[0],
      contact: DEMO.contacts[0],
      number: 1,
      status: 'open',
      tags: ['shipping'],
      lines: [
        { dir: 'in', text: 'Hi! My order #1042 has not arrived yet.', ago: 42 },
        {
          dir: 'out',
          text: 'Sorry about that, Maria. Let me check with the carrier.',
          ago: 40,
          by: 'admin@acme.test',
        },
        { dir: 'in', text: 'Thanks, it was supposed to come on Monday.', ago: 5 },
      ],
    },
    {
      id: DEMO.conversations[1],
      contact: DEMO.contacts[1],
      number: 2,
      status: 'resolved',
      lines: [
        { dir: 'in', text: 'Do you offer annual billing?', ago: 180 },
        { dir: 'out', text: 'We do: two months free when paid yearly.', ago: 170, by: 'manager@acme.test' },
      ],
    },
    {
      id: DEMO.conversations[2],
      contact: DEMO.contacts[2],
      number: 3,
      status: 'open',
      assignee: 'agent@acme.test',
      team: DEMO.team,
      priority: 'high',
      tags: ['billing'],
      lines: [
        { dir: 'in', text: 'I was charged twice for invoice INV-2231. Can you fix that?', ago: 25 },
        {
          dir: 'out',
          text: '@Alex Agent please check Stripe for the duplicate charge before answering.',
          ago: 22,
          by: 'manager@acme.test',
          note: true,
        },
        {
          dir: 'out',
          text: 'I can see the duplicate, Priya. The refund is on its way and reaches your card within 3 working days.',
          ago: 15,
          by: 'agent@acme.test',
        },
      ],
    },
    {
      id: DEMO.conversations[3],
      contact: DEMO.contacts[3],
      number: 4,
      status: 'pending',
      tags: ['sales'],
      lines: [
        { dir: 'in', text: 'Could you send a quote for 200 units of the Acme Hub?', ago: 300 },
        {
          dir: 'out',
          text: 'Happy to, Lena. Which delivery country, and do you need them in one shipment?',
          ago: 290,
          by: 'admin@acme.test',
        },
      ],
    },
    {
      id: DEMO.conversations[4],
      contact: DEMO.contacts[4],
      number: 5,
      status: 'snoozed',
      snoozedUntil: tomorrowAtNine,
      lines: [
        { dir: 'in', text: 'My warranty claim photos are coming tomorrow, is that fine?', ago: 60 },
        {
          dir: 'out',
          text: 'Of course, Omar. We will look at them as soon as they arrive.',
          ago: 55,
          by: 'agent@acme.test',
        },
      ],
    },
  ];
  for (const t of threads) {
    // Private notes are not the conversation's last message (preview, time): customers never see them.
    const last = t.lines.filter((l) => !l.note).at(-1)!;
    await tx.insert(schema.conversations).values({
      id: t.id,
      tenantId,
      number: t.number,
      channelId: DEMO.inbox,
      contactId: t.contact,
      status: t.status,
      snoozedUntil: t.snoozedUntil ?? null,
      assigneeId: t.assignee ? userId(t.assignee) : null,
      teamId: t.team ?? null,
      priority: t.priority ?? 'none',
      tags: t.tags ?? [],
      lastMessagePreview: last.text,
      lastMessageAt: at(last.ago),
      lastInboundAt: at(t.lines.filter((l) => l.dir === 'in').at(-1)!.ago),
      unreadCount: last.dir === 'in' && t.status === 'open' ? 1 : 0,
      waitingSince: last.dir === 'in' && t.status === 'open' ? at(last.ago) : null,
      createdAt: at(t.lines[0]!.ago),
    });
    for (const line of t.lines) {
      await tx.insert(schema.messages).values({
        tenantId,
        conversationId: t.id,
        channelId: DEMO.inbox,
        direction: line.dir,
        type: 'text',
        content: { text: line.text },
        status: line.dir === 'in' ? 'received' : line.note ? 'sent' : 'delivered',
        isPrivate: line.note ?? false,
        senderType: line.dir === 'in' ? 'contact' : 'user',
        senderId: line.dir === 'in' ? t.contact : line.by ? userId(line.by) : null,
        createdAt: at(line.ago),
      });
    }
  }
  return secret;
}

/**
 * Acme's website widget: a live_chat inbox whose public token the demo page embeds. Returns the token (also on
 * later runs, so up.sh can always write the demo page).
 */
async function seedLiveChat(tx: SeedTx, tenantId: string, box: SecretBox): Promise<string> {
  const [existing] = await tx
    .select({ externalId: schema.channels.externalId })
    .from(schema.channels)
    .where(eq(schema.channels.id, DEMO.liveChat));
  if (existing?.externalId) return existing.externalId;
  const websiteToken = randomBytes(24).toString('base64url');
  const identitySecret = randomBytes(32).toString('base64url');
  await tx.insert(schema.channels).values({
    id: DEMO.liveChat,
    tenantId,
    type: 'live_chat',
    name: 'Website chat',
    externalId: websiteToken,
    config: {
      websiteUrl: 'http://localhost:3002',
      allowedOrigins: [],
      title: 'Chat with Acme',
      welcomeMessage: 'Hi! Ask us anything, we usually answer within minutes.',
      color: '#2563eb',
      preChatForm: true,
      identityVerification: false,
    },
    credentials: box.encrypt(JSON.stringify({ websiteToken, identitySecret }), tenantId),
  });
  return websiteToken;
}

/**
 * Demo data for a local platform. Idempotent: every insert is "on conflict do nothing" or guarded by a fixed id,
 * so a second run changes nothing (not even password hashes). Without an encryption key (`box`) the demo inbox
 * is left out, since its secret must be stored encrypted.
 */
export async function seed(
  databaseUrl: string,
  superadmin?: { email: string; password: string },
  box?: SecretBox,
): Promise<{ inboxSecret?: string; websiteToken?: string }> {
  let inboxSecret: string | undefined;
  let websiteToken: string | undefined;
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
        if (t.slug === 'acme' && box) {
          inboxSecret = await seedInbox(tx, tenant!.id, box);
          websiteToken = await seedLiveChat(tx, tenant!.id, box);
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
  return { inboxSecret, websiteToken };
}

const isMain = process.argv[1]?.endsWith('/db/seed.js') || process.argv[1]?.endsWith('/db/seed.ts');
if (isMain) {
  loadDotenv();
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL: is required');
    process.exit(1);
  }
  const { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password, ENCRYPTION_KEY: key } = process.env;
  const box = key
    ? new SecretBox(process.env.ENCRYPTION_KEY_ID || 'k1', Buffer.from(key, 'base64'))
    : undefined;
  const { inboxSecret, websiteToken } = await seed(
    url,
    email && password ? { email, password } : undefined,
    box,
  );
  console.log('Demo data is in place. Logins (password for demo users: %s):', DEMO_PASSWORD);
  for (const t of DEMO_TENANTS)
    for (const u of t.users) console.log(`  ${u.role.padEnd(8)} ${u.email}  (${t.name}, ${t.status})`);
  if (email) console.log(`  SUPERADMIN ${email}  (password: SUPERADMIN_PASSWORD from your .env)`);
  if (inboxSecret) {
    console.log('Demo api inbox "Website (API)" created. Post a message to it with:');
    console.log(
      `  curl -X POST ${process.env.PUBLIC_URL ?? 'http://localhost:3002'}/api/v1/channels/api/${DEMO.inbox}/messages \\\n` +
        `    -H 'x-inbox-secret: ${inboxSecret}' -H 'content-type: application/json' \\\n` +
        `    -d '{"contact":{"identifier":"maria-lopez"},"message":{"type":"text","content":{"text":"Any news?"}}}'`,
    );
  }
  if (websiteToken) {
    const base = process.env.PUBLIC_URL ?? 'http://localhost:3002';
    console.log(
      'Demo website chat: put this on any page (scripts/up.sh writes .tmp/widget-demo.html with it):',
    );
    console.log(`  <script src="${base}/widget.js" data-website-token="${websiteToken}" async></script>`);
    // The last line is for up.sh: the token alone.
    console.log(`WIDGET_TOKEN=${websiteToken}`);
  }
}
