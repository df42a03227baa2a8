import type { TAppointment } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { upcomingAppointments } from './appointments';

const at = (iso: string, title: string, durationMinutes = 30): TAppointment => ({
  id: title,
  contactId: 'c',
  conversationId: null,
  title,
  startsAt: iso,
  durationMinutes,
  notes: null,
  createdBy: 'agent:x',
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('upcomingAppointments', () => {
  it('keeps those not over yet, soonest first, including one under way', () => {
    const now = Date.parse('2026-05-01T10:00:00.000Z');
    const list = [
      at('2026-05-03T09:00:00.000Z', 'later'),
      at('2026-04-30T09:00:00.000Z', 'past'),
      at('2026-05-01T09:45:00.000Z', 'under way'),
      at('2026-05-01T09:00:00.000Z', 'just ended', 60),
      at('2026-05-02T09:00:00.000Z', 'tomorrow'),
    ];
    expect(upcomingAppointments(list, now).map((a) => a.title)).toEqual(['under way', 'tomorrow', 'later']);
  });
});
