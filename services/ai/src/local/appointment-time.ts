/*
 * Reads an appointment's date and time out of a customer's message ("tomorrow at 3pm", "on Monday at 10:00",
 * "2026-12-01 15:00", "Dec 3 at 9am", "in 2 hours"). Everything is UTC: a chat message carries no time zone, and
 * the tool's contract wants an explicit offset, so the reply states "UTC" for the customer to correct.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTH_RE =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY_MS = 86_400_000;

interface CalendarDay {
  year: number;
  month: number; // 0-based
  day: number;
}

interface TimeOfDay {
  hour: number;
  minute: number;
}

function utcDay(date: Date): CalendarDay {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate() };
}

function addDays(day: CalendarDay, days: number): CalendarDay {
  return utcDay(new Date(Date.UTC(day.year, day.month, day.day) + days * DAY_MS));
}

function validDay(year: number, month: number, day: number): CalendarDay | null {
  const date = new Date(Date.UTC(year, month, day));
  return date.getUTCMonth() === month && date.getUTCDate() === day ? { year, month, day } : null;
}

/** The day the text names; 'invalid' for a date that does not exist (Feb 30), null when it names none. */
function findDate(text: string, now: Date): CalendarDay | 'invalid' | null {
  const today = utcDay(now);
  const iso = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(text);
  if (iso) return validDay(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])) ?? 'invalid';

  if (/\bday after tomorrow\b/.test(text)) return addDays(today, 2);
  if (/\b(?:tomorrow|tmrw|tmr|tomorow)\b/.test(text)) return addDays(today, 1);
  if (/\b(?:today|tonight|this (?:morning|afternoon|evening))\b/.test(text)) return today;

  const monthFirst = new RegExp(
    `\\b${MONTH_RE}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4}))?`,
  ).exec(text);
  const dayFirst = new RegExp(
    `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}\\b(?:,?\\s+(\\d{4}))?`,
  ).exec(text);
  const named = monthFirst
    ? { month: monthFirst[1] ?? '', day: monthFirst[2] ?? '', year: monthFirst[3] }
    : dayFirst
      ? { month: dayFirst[2] ?? '', day: dayFirst[1] ?? '', year: dayFirst[3] }
      : null;
  if (named) {
    const month = MONTHS.indexOf(named.month.slice(0, 3));
    const day = Number(named.day);
    if (named.year) return validDay(Number(named.year), month, day) ?? 'invalid';
    const thisYear = validDay(today.year, month, day);
    // "Dec 3" in January means this December; "Jan 3" in December means next January.
    if (thisYear && Date.UTC(thisYear.year, month, day) >= Date.UTC(today.year, today.month, today.day))
      return thisYear;
    return validDay(today.year + 1, month, day) ?? 'invalid';
  }

  const weekday =
    /\b(?:(next|this|on)\s+)?(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?\b/.exec(
      text,
    );
  if (weekday) {
    const target = WEEKDAYS.findIndex((name) => name.startsWith(weekday[2] ?? ''));
    if (target >= 0) {
      const current = new Date(Date.UTC(today.year, today.month, today.day)).getUTCDay();
      // A weekday always means the coming one; today's own name means a week from today.
      const ahead = (target - current + 7) % 7 || 7;
      return addDays(today, ahead);
    }
  }
  return null;
}

function findTime(text: string): TimeOfDay | null {
  if (/\b(?:noon|midday)\b/.test(text)) return { hour: 12, minute: 0 };
  const meridiem = /\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])/.exec(text);
  if (meridiem) {
    let hour = Number(meridiem[1]);
    const minute = Number(meridiem[2] ?? 0);
    if (hour < 1 || hour > 12 || minute > 59) return null;
    const pm = (meridiem[3] ?? '').startsWith('p');
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
    return { hour, minute };
  }
  const clock = /\b([01]?\d|2[0-3])[:h]([0-5]\d)\b/.exec(text);
  if (clock) return { hour: Number(clock[1]), minute: Number(clock[2]) };
  const bare = /\b(?:at|@|around)\s+(\d{1,2})\b(?!\s*(?:st|nd|rd|th|[/-]|%))/.exec(text);
  if (bare) {
    let hour = Number(bare[1]);
    if (hour > 23) return null;
    // "at 3" in a booking means the afternoon: nobody books 3 in the morning by chat.
    if (hour >= 1 && hour <= 7) hour += 12;
    return { hour, minute: 0 };
  }
  return null;
}

/**
 * The start of the appointment the text asks for, or null when it names no time. A date without a time is not
 * enough (null); a time without a date means its next occurrence.
 */
export function parseAppointmentTime(message: string, now: Date): Date | null {
  const text = message.toLowerCase();
  const relative = /\bin\s+(\d{1,3}|an?|one|two|three)\s+(hours?|hrs?|minutes?|mins?)\b/.exec(text);
  if (relative) {
    const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3 };
    const amount = words[relative[1] ?? ''] ?? Number(relative[1]);
    const minutes = (relative[2] ?? '').startsWith('h') ? amount * 60 : amount;
    const start = new Date(now.getTime() + minutes * 60_000);
    start.setUTCSeconds(0, 0);
    return start;
  }

  const time = findTime(text);
  if (!time) return null;
  const date = findDate(text, now);
  if (date === 'invalid') return null;
  if (date) return new Date(Date.UTC(date.year, date.month, date.day, time.hour, time.minute));
  const today = utcDay(now);
  const candidate = new Date(Date.UTC(today.year, today.month, today.day, time.hour, time.minute));
  return candidate.getTime() > now.getTime() ? candidate : new Date(candidate.getTime() + DAY_MS);
}

/** A duration the text asks for ("for 45 minutes", "1 hour", "90 min", "half an hour"), in minutes, or null. */
export function parseDurationMinutes(message: string): number | null {
  const text = message.toLowerCase();
  if (/\bhalf an hour\b/.test(text)) return 30;
  for (const match of text.matchAll(/\b(\d{1,3}(?:\.\d)?)[\s-]*(minutes?|mins?|hours?|hrs?|h)\b/g)) {
    // "in 2 hours" says when, not how long.
    if (/\bin\s+$/.test(text.slice(0, match.index))) continue;
    const amount = Number(match[1]);
    return Math.round((match[2] ?? '').startsWith('h') ? amount * 60 : amount);
  }
  if (/\b(?:for an|an|one) hour\b/.test(text) && !/\bin (?:an|one) hour\b/.test(text)) return 60;
  return null;
}

/** "Tue 1 Dec, 15:00 UTC". */
export function formatAppointmentTime(date: Date): string {
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getUTCDay()] ?? '';
  const month = MONTHS[date.getUTCMonth()] ?? '';
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  return `${weekday} ${date.getUTCDate()} ${month.charAt(0).toUpperCase()}${month.slice(1)} ${date.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** ISO 8601 with an explicit UTC offset, to the minute: 2026-12-01T15:00:00Z. */
export function toIsoUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
