import { describe, expect, it } from 'vitest';
import {
  formatAppointmentTime,
  parseAppointmentTime,
  parseDurationMinutes,
  toIsoUtc,
} from './appointment-time.js';

// Friday 27 November 2026, 10:00 UTC.
const now = new Date('2026-11-27T10:00:00Z');
const at = (text: string) => {
  const date = parseAppointmentTime(text, now);
  return date ? toIsoUtc(date) : null;
};

describe('appointment times', () => {
  it('reads relative days, weekdays, ISO dates and month names', () => {
    expect(at('tomorrow at 3pm')).toBe('2026-11-28T15:00:00Z');
    expect(at('the day after tomorrow at 9:30 am')).toBe('2026-11-29T09:30:00Z');
    expect(at('on Monday at 10:00')).toBe('2026-11-30T10:00:00Z');
    expect(at('next wednesday 14:15')).toBe('2026-12-02T14:15:00Z');
    // Today's own weekday means a week from today.
    expect(at('friday at noon')).toBe('2026-12-04T12:00:00Z');
    expect(at('2026-12-01 15:00')).toBe('2026-12-01T15:00:00Z');
    expect(at('Dec 3 at 9am')).toBe('2026-12-03T09:00:00Z');
    expect(at('3rd of December at 4 pm')).toBe('2026-12-03T16:00:00Z');
    expect(at('January 5th at 11am')).toBe('2027-01-05T11:00:00Z');
    expect(at('today at 5pm')).toBe('2026-11-27T17:00:00Z');
    expect(at('in 2 hours')).toBe('2026-11-27T12:00:00Z');
  });

  it('takes a bare "at 3" as the afternoon and a time alone as its next occurrence', () => {
    expect(at('tomorrow at 3')).toBe('2026-11-28T15:00:00Z');
    expect(at('at 9am')).toBe('2026-11-28T09:00:00Z');
    expect(at('at 4pm')).toBe('2026-11-27T16:00:00Z');
  });

  it('needs a time', () => {
    expect(at('tomorrow')).toBeNull();
    expect(at('on Monday please')).toBeNull();
    expect(at('2026-02-30 10:00')).toBeNull();
    expect(at('13pm tomorrow')).toBeNull();
  });

  it('reads durations but not "in 2 hours"', () => {
    expect(parseDurationMinutes('for 45 minutes')).toBe(45);
    expect(parseDurationMinutes('a 90-min session')).toBe(90);
    expect(parseDurationMinutes('for 1 hour')).toBe(60);
    expect(parseDurationMinutes('for an hour')).toBe(60);
    expect(parseDurationMinutes('half an hour')).toBe(30);
    expect(parseDurationMinutes('in 2 hours')).toBeNull();
    expect(parseDurationMinutes('tomorrow at 3pm')).toBeNull();
  });

  it('formats for people', () => {
    expect(formatAppointmentTime(new Date('2026-12-01T15:00:00Z'))).toBe('Tue 1 Dec 2026, 15:00 UTC');
  });
});
