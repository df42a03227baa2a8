import type { TMessage } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { serviceWindow } from './service-window';

const NOW = Date.UTC(2026, 0, 2, 12);
const inboundAt = (hoursAgo: number) =>
  ({ direction: 'in', createdAt: new Date(NOW - hoursAgo * 3_600_000).toISOString() }) as TMessage;
const outbound = { direction: 'out', createdAt: new Date(NOW).toISOString() } as TMessage;

describe('serviceWindow', () => {
  it('is open for 24 hours after the last inbound message on WhatsApp, then closed', () => {
    expect(serviceWindow('whatsapp', [outbound, inboundAt(2)], false, NOW)).toEqual({
      kind: 'open',
      closesAt: NOW + 22 * 3_600_000,
    });
    expect(serviceWindow('messenger', [inboundAt(25)], true, NOW)).toEqual({ kind: 'closed' });
  });

  it('does not apply to channels without one, nor guess before the last inbound message is loaded', () => {
    expect(serviceWindow('telegram', [inboundAt(48)], true, NOW)).toEqual({ kind: 'none' });
    expect(serviceWindow(undefined, [inboundAt(48)], true, NOW)).toEqual({ kind: 'none' });
    expect(serviceWindow('instagram', [outbound], false, NOW)).toEqual({ kind: 'none' });
    expect(serviceWindow('instagram', [outbound], true, NOW)).toEqual({ kind: 'closed' });
  });
});
