import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** Inboxes are cached per API process for the webhook path; a change on one replica must reach all of them. */
describe('inbound inbox cache across two API instances', () => {
  let one: TestContext;
  let two: TestContext;
  let admin: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    one = await startTestApp();
    two = await startTestApp({ db: one.db, env: { REDIS_KEY_PREFIX: one.config.REDIS_KEY_PREFIX } });
    admin = await makeTenantWithUser(one.app, one.database, 'ADMIN');
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  /** Until the other instance has dropped its copy (a pub/sub hop), allow a few milliseconds. */
  async function eventually(check: () => Promise<boolean>) {
    for (let i = 0; i < 50; i++) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  it('a rotated secret stops working on the other instance too', async () => {
    const inbox = await makeApiInbox(one.app, admin.token);
    // Instance two caches the inbox while taking a message.
    expect((await inbound(two.app, inbox.id, inbox.secret, textFrom('c-1', 'first'))).status).toBe(200);
    const rotated = await http(one.app, 'POST', `/api/v1/channels/${inbox.id}/rotate-secret`, {
      token: admin.token,
    });
    expect(rotated.status).toBe(200);
    expect(
      await eventually(
        async () => (await inbound(two.app, inbox.id, inbox.secret, textFrom('c-1', 'old'))).status === 401,
      ),
    ).toBe(true);
    expect((await inbound(two.app, inbox.id, rotated.body.secret, textFrom('c-1', 'new'))).status).toBe(200);
  });

  it('a disabled inbox stops taking messages on the other instance too', async () => {
    const inbox = await makeApiInbox(one.app, admin.token);
    expect((await inbound(two.app, inbox.id, inbox.secret, textFrom('c-2', 'first'))).status).toBe(200);
    expect(
      (
        await http(one.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
          token: admin.token,
          body: { isActive: false },
        })
      ).status,
    ).toBe(200);
    expect(
      await eventually(
        async () => (await inbound(two.app, inbox.id, inbox.secret, textFrom('c-2', 'late'))).status === 403,
      ),
    ).toBe(true);
  });
});
