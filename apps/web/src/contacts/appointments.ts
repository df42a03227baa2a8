import type { TAppointment } from '@orbitdesk/shared';

/**
 * Appointments not yet over, soonest first. One that has started but not ended still counts: the contact may
 * be in it right now.
 */
export function upcomingAppointments(items: readonly TAppointment[], now: number): TAppointment[] {
  return items
    .filter((a) => Date.parse(a.startsAt) + a.durationMinutes * 60_000 > now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}
