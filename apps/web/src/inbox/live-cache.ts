import type { QueryClient } from '@tanstack/react-query';
import type { TConversation, TMessage } from '@orbitdesk/shared';
import { matchesFilters, type InboxFilters } from './filters';
import { keys, type ConversationPages, type MessagePages } from './queries';

const newestFirst = (a: TConversation, b: TConversation) =>
  b.lastMessageAt.localeCompare(a.lastMessageAt) || b.id.localeCompare(a.id);

/** Adds a message to its thread's cache, or replaces the stored copy (status changes, our own send echoed). */
export function upsertMessage(queryClient: QueryClient, message: TMessage): void {
  queryClient.setQueryData<MessagePages>(keys.messages(message.conversationId), (data) => {
    if (!data) return data;
    let found = false;
    const pages = data.pages.map((page) => ({
      ...page,
      items: page.items.map((m) => {
        if (m.id !== message.id) return m;
        found = true;
        // A late event must not move a status backwards (sent after delivered arrives out of order), and the
        // AI's understanding, stored apart from the status, is never lost to an event sent before it existed.
        const [newer, older] = m.updatedAt > message.updatedAt ? [m, message] : [message, m];
        return newer.understanding || !older.understanding
          ? newer
          : { ...newer, understanding: older.understanding };
      }),
    }));
    if (!found && pages[0]) pages[0] = { ...pages[0], items: [message, ...pages[0].items] };
    return { ...data, pages };
  });
}

/**
 * Applies a changed conversation to every cached list: replaced in place (re-sorted), dropped from lists it
 * no longer matches, added to lists it now matches. A list whose match cannot be decided here (text search)
 * is refetched instead.
 */
export function upsertConversation(
  queryClient: QueryClient,
  conversation: TConversation,
  meId: string,
): void {
  queryClient.setQueryData(keys.conversation(conversation.id), conversation);
  const lists = queryClient.getQueriesData<ConversationPages>({ queryKey: keys.conversationLists });
  for (const [key, data] of lists) {
    if (!data) continue;
    const filters = key[1] as InboxFilters;
    const matches = matchesFilters(conversation, filters, meId);
    const present = data.pages.some((p) => p.items.some((c) => c.id === conversation.id));
    if (matches === undefined) {
      void queryClient.invalidateQueries({ queryKey: key, exact: true });
      continue;
    }
    if (!matches && !present) continue;
    const loaded = data.pages.flatMap((p) => p.items);
    const oldest = loaded.at(-1);
    const hasMore = data.pages.at(-1)?.nextCursor != null;
    // Older than everything loaded while more pages exist: it will come with the page it belongs to.
    if (matches && !present && hasMore && oldest && newestFirst(conversation, oldest) > 0) continue;
    queryClient.setQueryData<ConversationPages>(key, {
      ...data,
      pages: placeInPages(data, conversation, matches),
    });
  }
}

/** Rebuilds the pages with the conversation removed, then (when it matches) put back in order. */
function placeInPages(data: ConversationPages, conversation: TConversation, keep: boolean) {
  const pages = data.pages.map((p) => ({ ...p, items: p.items.filter((c) => c.id !== conversation.id) }));
  if (!keep) return pages;
  for (const page of pages) {
    const at = page.items.findIndex((c) => newestFirst(conversation, c) < 0);
    if (at >= 0) {
      page.items.splice(at, 0, conversation);
      return pages;
    }
  }
  pages.at(-1)?.items.push(conversation);
  return pages;
}
