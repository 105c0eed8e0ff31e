import type { SloWindow } from './model.js';

/** Alert windows whose burn rates the gate reports, shortest first. */
export const BURN_WINDOWS = [
  '5m',
  '30m',
  '1h',
  '2h',
  '6h',
  '1d',
  '3d',
] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

export const WINDOW_SECONDS: Record<BurnWindow, number> = {
  '5m': 300,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '6h': 21_600,
  '1d': 86_400,
  '3d': 259_200,
};

/**
 * The multiwindow multi-burn-rate conditions of Google's SRE workbook
 * ("Alerting on SLOs"): a condition fires when both its long and its short
 * window burn faster than its factor. `budgetShare` is the share of the
 * budget the long window may spend before it fires.
 */
export interface BurnCondition {
  severity: 'page' | 'ticket';
  long: BurnWindow;
  short: BurnWindow;
  budgetShare: number;
}

export const BURN_CONDITIONS: readonly BurnCondition[] = [
  { severity: 'page', long: '1h', short: '5m', budgetShare: 0.02 },
  { severity: 'page', long: '6h', short: '30m', budgetShare: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', budgetShare: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', budgetShare: 0.1 },
];

/**
 * Returns a condition's burn-rate factor for an SLO window: budget share
 * times SLO window over alert window (14.4, 6, 3 and 1 for 30 days).
 */
export function burnFactor(
  condition: BurnCondition,
  windowSeconds: number,
): number {
  const factor =
    (condition.budgetShare * windowSeconds) / WINDOW_SECONDS[condition.long];
  return Number(factor.toPrecision(12));
}

/**
 * Returns the length in seconds that sizes the budget: the rolling length,
 * or the whole calendar week or month that contains `at`.
 */
export function windowLengthSeconds(window: SloWindow, at: Date): number {
  if (window.kind === 'rolling') return window.seconds;
  const { start, end } = calendarPeriod(window, at);
  return (end.getTime() - start.getTime()) / 1000;
}

/**
 * Returns the calendar week (Monday first) or month that contains `at`, in
 * the window's time zone, as UTC instants.
 */
export function calendarPeriod(
  window: Extract<SloWindow, { kind: 'calendar' }>,
  at: Date,
): { start: Date; end: Date } {
  const local = localDate(at, window.timeZone);
  let startDay: [number, number, number];
  let endDay: [number, number, number];
  if (window.unit === 'month') {
    startDay = [local.year, local.month, 1];
    endDay = [local.year, local.month + 1, 1];
  } else {
    const mondayOffset = (local.weekday + 6) % 7;
    startDay = [local.year, local.month, local.day - mondayOffset];
    endDay = [local.year, local.month, local.day - mondayOffset + 7];
  }
  return {
    start: zonedMidnight(startDay, window.timeZone),
    end: zonedMidnight(endDay, window.timeZone),
  };
}

/** Returns the period before the one that contains `at`. */
export function previousCalendarPeriod(
  window: Extract<SloWindow, { kind: 'calendar' }>,
  at: Date,
): { start: Date; end: Date } {
  const current = calendarPeriod(window, at);
  return calendarPeriod(window, new Date(current.start.getTime() - 1000));
}

interface LocalDate {
  year: number;
  /** Month 0-11, as `Date.UTC` takes it. */
  month: number;
  day: number;
  /** Day of the week, 0 for Sunday. */
  weekday: number;
}

function localDate(at: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(at);
  const get = (type: string) =>
    Number(parts.find((part) => part.type === type)?.value);
  const year = get('year');
  const month = get('month') - 1;
  const day = get('day');
  const weekday = new Date(Date.UTC(year, month, day)).getUTCDay();
  return { year, month, day, weekday };
}

/** Offset of `timeZone` from UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) =>
    Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** Returns the UTC instant of local midnight on a day (fields may overflow). */
function zonedMidnight(
  [year, month, day]: [number, number, number],
  timeZone: string,
): Date {
  const guess = Date.UTC(year, month, day);
  // Two passes settle days on which the offset changes (daylight saving).
  let instant = guess - zoneOffsetMs(new Date(guess), timeZone);
  instant = guess - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** Returns true when `timeZone` is an IANA zone that Intl accepts. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Formats seconds as a PromQL duration (`30d`, `90m`, `45s`). */
export function promDuration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}s`;
}
