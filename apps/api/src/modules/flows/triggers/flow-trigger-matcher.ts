import type { FlowTriggerType } from '@orbitdesk/shared';

/** The part of a flow that decides whether an inbound message starts it. */
export interface MessageTriggerFlow {
  id: string;
  priority: number;
  createdAt: Date;
  triggerType: FlowTriggerType;
  triggerSettings: Record<string, unknown>;
}

const fold = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

function channelAllowed(flow: MessageTriggerFlow, channelId: string): boolean {
  const ids = flow.triggerSettings.channelIds;
  return !Array.isArray(ids) || ids.length === 0 || ids.includes(channelId);
}

function keywordMatches(flow: MessageTriggerFlow, text: string): boolean {
  const keywords = Array.isArray(flow.triggerSettings.keywords)
    ? (flow.triggerSettings.keywords as string[])
    : [];
  const said = fold(text);
  if (!said) return false;
  const contains = flow.triggerSettings.match === 'contains';
  return keywords.some((k) => (contains ? said.includes(fold(k)) : said === fold(k)));
}

const byPriority = (a: MessageTriggerFlow, b: MessageTriggerFlow) =>
  b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

/**
 * The one flow an inbound message starts: a keyword flow whose keyword matches (case-insensitive, exact or
 * contained) wins over any catch-all `message_received` flow; among several candidates of the same kind the
 * higher priority, then the older flow, wins.
 */
export function pickMessageFlow<F extends MessageTriggerFlow>(
  flows: F[],
  text: string | null,
  channelId: string,
): F | undefined {
  const eligible = flows.filter((f) => channelAllowed(f, channelId));
  const keyword = eligible
    .filter((f) => f.triggerType === 'keyword' && text !== null && keywordMatches(f, text))
    .sort(byPriority);
  if (keyword.length) return keyword[0];
  return eligible.filter((f) => f.triggerType === 'message_received').sort(byPriority)[0];
}

/** The tag_added flows one of whose tags was just added (tags compare case-insensitively). */
export function flowsForAddedTags<F extends MessageTriggerFlow>(flows: F[], added: string[]): F[] {
  const addedFolded = new Set(added.map(fold));
  return flows.filter((f) => {
    const tags = Array.isArray(f.triggerSettings.tags) ? (f.triggerSettings.tags as string[]) : [];
    return tags.some((t) => addedFolded.has(fold(t)));
  });
}
