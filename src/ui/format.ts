/**
 * Dates and times as people read them. Values arrive from the server as ISO strings (no
 * transformer on the wire), though the router's types call them `Date`: accept both.
 */
export type DateLike = Date | string | number;

function toDate(value: DateLike): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * A formatter made on first use: constructing one loads the locale's data (tens of ms on a slow
 * machine, measured in a page's CPU profile), which a page that shows no date should not pay
 * while it loads.
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const dateFormat = onFirstUse(() => new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" }));
const dateTimeFormat = onFirstUse(() => new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }));
const relativeFormat = onFirstUse(() => new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }));

/** "Nov 23, 2026". */
export function formatDate(value: DateLike): string {
  return dateFormat().format(toDate(value));
}

/** "Nov 23, 2026, 2:05 PM". */
export function formatDateTime(value: DateLike): string {
  return dateTimeFormat().format(toDate(value));
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 minutes ago", "in 2 days", "just now". */
export function formatRelative(value: DateLike, now: number = Date.now()): string {
  const diff = toDate(value).getTime() - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relativeFormat().format(Math.round(diff / ms), unit);
  }
  return "just now";
}

/** The ISO string for a `<time datetime>` attribute. */
export function isoOf(value: DateLike): string {
  return toDate(value).toISOString();
}
