/**
 * Wall-clock time in an IANA time zone, and the one rule no library states the way the scheduler needs
 * it: which UTC instant a wall time means. Pure (Intl only).
 *
 * - A wall time that exists once is that instant.
 * - A wall time that repeats (the hour before a fall-back transition) is its first occurrence.
 * - A wall time in a gap (skipped by a spring-forward transition) is the first valid instant after it:
 *   the transition itself.
 *
 * Wall times are carried as "floating" Date values: the wall fields read as if they were UTC. This lets a
 * cron library enumerate wall times in its UTC mode, with no time-zone logic of its own involved.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Throws a RangeError for a name Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall time of `instant` in `timeZone`, as a floating Date (milliseconds dropped). */
export function toWallTime(instant: Date, timeZone: string): Date {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant))
    if (type !== 'literal') parts[type] = Number(value);
  const get = (type: string): number => parts[type] ?? 0;
  return new Date(
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')),
  );
}

/** Offset of `timeZone` from UTC at `instantMs`, in milliseconds (whole seconds). */
function offsetAt(instantMs: number, timeZone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return toWallTime(new Date(whole), timeZone).getTime() - whole;
}

const hourMs = 3_600_000;

/** The UTC instant a floating wall time means in `timeZone` (see the module comment for the rules). */
export function fromWallTime(wall: Date, timeZone: string): Date {
  const wallMs = wall.getTime();
  // Every offset in use around this wall time: transitions are more than a day apart.
  const offsets = new Set([
    offsetAt(wallMs - 26 * hourMs, timeZone),
    offsetAt(wallMs + 26 * hourMs, timeZone),
  ]);
  const valid = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => offsetAt(instant, timeZone) === wallMs - instant)
    .sort((a, b) => a - b);
  const first = valid[0];
  if (first !== undefined) return new Date(first);
  // A gap: the transition lies between the instants the two offsets give; find it to the second.
  const candidates = [...offsets].map((offset) => wallMs - offset).sort((a, b) => a - b);
  let low = candidates[0] ?? wallMs;
  let high = candidates[candidates.length - 1] ?? wallMs;
  const before = offsetAt(low, timeZone);
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  return new Date(high);
}
