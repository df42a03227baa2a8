import { randomUUID } from 'node:crypto';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TMessage } from '@orbitdesk/shared';
import { DomainEvents } from '../../src/common/events/domain-events.js';
import { RealtimeService } from '../../src/modules/realtime/realtime.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { ChannelPipelineService } from '../../src/modules/channels/channel-pipeline.service.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { makeApiInbox } from '../support/inbox.js';
import { connectAgent, eventsDuring, listen, nextEvent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** Events raised by jobs in the worker process (which has no sockets) must still reach agents live. */
describe('realtime events raised in the worker', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let a: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentA: ClientSocket;
  let agentB: ClientSocket;

  beforeAll(async () => {
    ctx = await startTestApp();
    const base = await listen(ctx.app);
    worker = await startWorker(ctx.config);
    a = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const b = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    agentA = await connectAgent(base, a.token);
    agentB = await connectAgent(base, b.token);
  });
  afterAll(async () => {
    agentA?.disconnect();
    agentB?.disconnect();
    await worker?.close();
    await ctx?.close();
  });

  it("reach the tenant's agents through Redis, and no other tenant's", async () => {
    const message = {
      id: randomUUID(),
      conversationId: randomUUID(),
      channelId: randomUUID(),
      direction: 'out',
      type: 'text',
      content: { text: 'hello' },
      providerMessageId: 'p-1',
      status: 'sent',
      failureReason: null,
      senderType: 'user',
      senderId: a.user.id,
      isPrivate: false,
      understanding: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    } satisfies TMessage;
    const received = nextEvent<{ message: TMessage }>(agentA, 'message_status');
    const quietB = eventsDuring(agentB, 500);
    worker.app.get(DomainEvents).publish('message.status', { tenantId: a.tenant.id, message });
    expect((await received).message).toEqual(message);
    expect(await quietB).toEqual([]);
  });

  it('carry personal notifications from the worker to that user only', async () => {
    const received = nextEvent<{ type: string }>(agentA, 'notification');
    const quietB = eventsDuring(agentB, 500);
    worker.app
      .get(RealtimeService)
      .notifyUser(a.tenant.id, a.user.id, { type: 'reminder', text: 'Snooze is over' });
    expect(await received).toEqual({ type: 'reminder', text: 'Snooze is over' });
    expect(await quietB).toEqual([]);
  });

  it('assign conversations that arrive in the worker (email, linked devices) to an online agent of the inbox', async () => {
    const admin = await makeUser(ctx.database, a.tenant.id, { role: 'ADMIN' });
    const { token } = await login(ctx.app, admin.email);
    const inbox = await makeApiInbox(ctx.app, token);
    await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, { token, body: { autoAssign: true } });
    await http(ctx.app, 'PUT', `/api/v1/channels/${inbox.id}/members`, {
      token,
      body: { userIds: [a.user.id] },
    });
    const assigned = nextEvent<{ type: string }>(agentA, 'notification');
    const result = await requestContext.run({ tenantId: a.tenant.id }, () =>
      worker.app.get(ChannelPipelineService).ingest({
        channelId: inbox.id,
        channelType: 'api',
        contact: { identifier: 'polled@example.test' },
        type: 'text',
        content: { text: 'arrived in the worker' },
      }),
    );
    expect(result.conversation.assigneeId).toBe(a.user.id);
    expect(await assigned).toMatchObject({ type: 'assignment' });
  });
});
