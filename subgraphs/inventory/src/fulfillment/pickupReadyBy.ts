/**
 * When a click-and-collect order can be ready: two hours of store time to pick and pack it, counted
 * only while the store is open. Placed at 11:00 in a store open 10–20 → ready 13:00; at 19:00 → the
 * next opening plus two hours; at 03:00 → today's opening plus two hours.
 *
 * Opening hours are local time of America/Mexico_City. Mexico abolished daylight saving time in 2022,
 * so the store's UTC offset is taken once, at `now`, and used for the whole week ahead.
 */
import type { OpeningHoursDocument } from '../repositories/locationRepository';

/** Store time needed to prepare a pickup. */
export const PICKUP_PREPARATION_MS = 2 * 3_600_000;

const DAY_MS = 86_400_000;
const TIME_ZONE = 'America/Mexico_City';

/** Minutes since midnight of an `HH:MM` string, or null when malformed. */
function minutesOf(hhmm: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Offset of the time zone from UTC at `instant`, in milliseconds (negative west of Greenwich). */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
  const wallClock = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((wallClock - Math.floor(instant.getTime() / 1000) * 1000) / 60_000) * 60_000;
}

/**
 * The earliest instant the store can have an order ready, or null when it has no opening hours in the
 * coming week (then no pickup is offered there).
 */
export function pickupReadyBy(openingHours: readonly OpeningHoursDocument[], now: Date, timeZone: string = TIME_ZONE): Date | null {
  const offset = offsetAt(now, timeZone);
  // "Local" instants: the wall-clock time of the store expressed as if it were UTC.
  const localNow = now.getTime() + offset;
  const localMidnight = Math.floor(localNow / DAY_MS) * DAY_MS;
  for (let day = 0; day <= 7; day += 1) {
    const midnight = localMidnight + day * DAY_MS;
    const dayOfWeek = ((new Date(midnight).getUTCDay() + 6) % 7) + 1;
    for (const hours of openingHours.filter((candidate) => candidate.dayOfWeek === dayOfWeek)) {
      const opens = minutesOf(hours.opens);
      const closes = minutesOf(hours.closes);
      if (opens === null || closes === null || closes <= opens) continue;
      const start = Math.max(localNow, midnight + opens * 60_000);
      const ready = start + PICKUP_PREPARATION_MS;
      if (ready <= midnight + closes * 60_000) return new Date(ready - offset);
    }
  }
  return null;
}
