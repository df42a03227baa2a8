import { SERVICE_WINDOW_HOURS, type ChannelType, type TMessage } from '@orbitdesk/shared';

export type ServiceWindow = { kind: 'none' } | { kind: 'open'; closesAt: number } | { kind: 'closed' };

/**
 * WhatsApp, Messenger and Instagram accept free-form replies only within a window after the contact's last
 * message. `messages` are the loaded ones, newest first; when the last inbound one is not among them yet the
 * window is not shown rather than guessed.
 */
export function serviceWindow(
  channelType: ChannelType | undefined,
  messages: TMessage[],
  allLoaded: boolean,
  now: number,
): ServiceWindow {
  const hours = channelType ? SERVICE_WINDOW_HOURS[channelType] : undefined;
  if (!hours) return { kind: 'none' };
  const lastInbound = messages.find((m) => m.direction === 'in');
  if (!lastInbound) return allLoaded ? { kind: 'closed' } : { kind: 'none' };
  const closesAt = Date.parse(lastInbound.createdAt) + hours * 3_600_000;
  return closesAt > now ? { kind: 'open', closesAt } : { kind: 'closed' };
}
