import { QueryClient } from '@tanstack/react-query';
import type { TConversation, TMessage } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import type { InboxFilters } from './filters';
import { upsertConversation, upsertMessage } from './live-cache';
import { keys, type ConversationPages, type MessagePages } from './queries';

const ME = '00000000-0000-4000-8000-000000000001';
const id = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;

function conversation(n: number, over: Partial<TConversation> = {}): TConversation {
  const at = new Date(Date.UTC(2026, 0, 1, 12, n)).toISOString();
  return {
    id: id(n),
    number: n,
    channelId: id(90),
    contactId: id(91),
    status: 'open',
    snoozedUntil: null,
    assigneeId: null,
    teamId: null,
    tags: [],
    priority: 'none',
    lastMessagePreview: `message ${n}`,
    lastMessageAt: at,
    unreadCount: 0,
    waitingSince: null,
    chatAgentId: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

function message(n: number, over: Partial<TMessage> = {}): TMessage {
  const at = new Date(Date.UTC(2026, 0, 1, 12, n)).toISOString();
  return {
    id: id(n),
    conversationId: id(1),
    channelId: id(90),
    direction: 'out',
    type: 'text',
    content: { text: `m${n}` },
    providerMessageId: null,
    status: 'queued',
    failureReason: null,
    senderType: 'user',
    senderId: ME,
    isPrivate: false,
    understanding: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

const filters = (over: Partial<InboxFilters> = {}): InboxFilters => ({
  status: 'open',
  assignee: 'all',
  channelId: '',
  team: '',
  priority: '',
  q: '',
  ...over,
});

function seedList(
  client: QueryClient,
  f: InboxFilters,
  items: TConversation[],
  nextCursor: string | null = null,
) {
  client.setQueryData<ConversationPages>(keys.conversationList(f), {
    pages: [{ items, nextCursor }],
    pageParams: [null],
  });
}

const listIds = (client: QueryClient, f: InboxFilters) =>
  client
    .getQueryData<ConversationPages>(keys.conversationList(f))
    ?.pages.flatMap((p) => p.items.map((c) => c.number));

describe('upsertConversation', () => {
  it('moves a conversation with new activity to the top of the lists it matches', () => {
    const client = new QueryClient();
    seedList(client, filters(), [conversation(3), conversation(2), conversation(1)]);
    upsertConversation(
      client,
      conversation(1, { lastMessageAt: new Date(Date.UTC(2026, 0, 1, 13)).toISOString() }),
      ME,
    );
    expect(listIds(client, filters())).toEqual([1, 3, 2]);
  });

  it('drops it from lists it no longer matches and adds it to those it now matches', () => {
    const client = new QueryClient();
    const open = filters();
    const mine = filters({ assignee: 'me' });
    const resolved = filters({ status: 'resolved' });
    seedList(client, open, [conversation(2), conversation(1)]);
    seedList(client, mine, []);
    seedList(client, resolved, [conversation(5, { status: 'resolved' })]);

    upsertConversation(client, conversation(2, { assigneeId: ME }), ME);
    expect(listIds(client, mine)).toEqual([2]);
    upsertConversation(client, conversation(2, { status: 'resolved', assigneeId: ME }), ME);
    expect(listIds(client, open)).toEqual([1]);
    expect(listIds(client, mine)).toEqual([]);
    expect(listIds(client, resolved)).toEqual([5, 2]);
  });

  it('leaves an older conversation for the page it belongs to when more pages exist', () => {
    const client = new QueryClient();
    seedList(client, filters(), [conversation(5), conversation(4)], 'next');
    upsertConversation(client, conversation(1), ME);
    expect(listIds(client, filters())).toEqual([5, 4]);
  });

  it('refetches a text-searched list instead of guessing whether it matches', () => {
    const client = new QueryClient();
    const searched = filters({ q: 'parcel' });
    seedList(client, searched, [conversation(1)]);
    upsertConversation(client, conversation(2), ME);
    expect(client.getQueryState(keys.conversationList(searched))?.isInvalidated).toBe(true);
    expect(listIds(client, searched)).toEqual([1]);
  });
});

describe('upsertMessage', () => {
  const seed = (client: QueryClient, items: TMessage[]) =>
    client.setQueryData<MessagePages>(keys.messages(id(1)), {
      pages: [{ items, nextCursor: null }],
      pageParams: [null],
    });
  const stored = (client: QueryClient) =>
    client.getQueryData<MessagePages>(keys.messages(id(1)))!.pages[0]!.items;

  it('adds a new message once, even when the send answer and the event both arrive', () => {
    const client = new QueryClient();
    seed(client, [message(1)]);
    upsertMessage(client, message(2));
    upsertMessage(client, message(2));
    expect(stored(client).map((m) => m.id)).toEqual([id(2), id(1)]);
  });

  it('never moves a status backwards when events arrive out of order', () => {
    const client = new QueryClient();
    seed(client, [message(1)]);
    const later = new Date(Date.UTC(2026, 0, 1, 14)).toISOString();
    const earlier = new Date(Date.UTC(2026, 0, 1, 13)).toISOString();
    upsertMessage(client, message(1, { status: 'delivered', updatedAt: later }));
    upsertMessage(client, message(1, { status: 'sent', updatedAt: earlier }));
    expect(stored(client)[0]!.status).toBe('delivered');
  });

  it('shows the understanding from message_updated, and keeps it when an older copy arrives later', () => {
    const client = new QueryClient();
    const inbound = { direction: 'in' as const, status: 'received' as const, senderType: 'contact' as const };
    seed(client, [message(1, inbound)]);
    const understanding = {
      intent: 'complaint' as const,
      confidence: 0.8,
      sentiment: -0.6,
      language: 'en',
      model: 'local:orbitdesk-local-1',
    };
    const classifiedAt = new Date(Date.UTC(2026, 0, 1, 14)).toISOString();
    upsertMessage(client, message(1, { ...inbound, understanding, updatedAt: classifiedAt }));
    expect(stored(client)[0]!.understanding).toEqual(understanding);

    // The new_message echo, read before the classifier finished, comes in last: the chips stay.
    upsertMessage(client, message(1, inbound));
    expect(stored(client)[0]!.understanding).toEqual(understanding);
  });

  it('takes the understanding even when it did not move updatedAt', () => {
    const client = new QueryClient();
    seed(client, [message(1, { direction: 'in' })]);
    const understanding = {
      intent: 'question' as const,
      confidence: 1,
      sentiment: 0,
      language: 'de',
      model: 'm',
    };
    upsertMessage(client, message(1, { direction: 'in', understanding }));
    expect(stored(client)[0]!.understanding?.language).toBe('de');
  });
});
