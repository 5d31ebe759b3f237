/**
 * Calendar arithmetic on insured periods: contribution months and months contributed. Dates are
 * "YYYY-MM-DD" strings (they compare correctly as text), months "YYYY-MM"; an employment's end
 * date is its last insured day. Pure functions.
 */

/** An insured period. */
export interface Period {
  /** First insured day. */
  start: string;
  /** Last insured day; "" while the employment is active. */
  end: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

const toDate = (date: string) => new Date(`${date}T00:00:00Z`);
const toText = (d: Date) => d.toISOString().slice(0, 10);

/** Whether text is a month written YYYY-MM. */
export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** The first and last day of a month YYYY-MM. */
export function monthBounds(month: string): { first: string; last: string } {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`a month is written YYYY-MM (got "${month}")`);
  const lastDay = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(lastDay).padStart(2, "0")}` };
}

/**
 * Whether an insured period owes contributions for a month: it covers at least one day of it
 * (当月参保当月缴费; a period ending in a month still pays that month).
 */
export function activeDuringMonth(period: Period, month: string): boolean {
  const { first, last } = monthBounds(month);
  return period.start <= last && (period.end === "" || period.end >= first);
}

/** The date n days after (or before, n < 0) a date. */
export function addDays(date: string, n: number): string {
  const d = toDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return toText(d);
}

/** The same day n months later, held at the month's end when it has no such day: 01-31 + 1 month = 02-28/29. */
export function addMonths(date: string, n: number): string {
  const d = toDate(date);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return toText(target);
}

/**
 * Whole months in the days start..end, both included: 2024-01-15..2024-03-14 is 2 months,
 * 2024-01-01..2024-01-31 is 1, fewer days than a month is 0.
 */
export function wholeMonths(start: string, end: string): number {
  if (end < start) return 0;
  const after = addDays(end, 1);
  const s = toDate(start);
  const e = toDate(after);
  // Estimate from the calendar, then settle so that start + m months <= the day after the end.
  let m = (e.getUTCFullYear() - s.getUTCFullYear()) * 12 + (e.getUTCMonth() - s.getUTCMonth());
  while (m > 0 && addMonths(start, m) > after) m--;
  while (addMonths(start, m + 1) <= after) m++;
  return Math.max(0, m);
}

/**
 * 累计缴费月数: whole months insured up to and including today. Overlapping or back-to-back
 * periods (two regions at once, a change of employer without a gap) are merged first, so no day
 * counts twice and a job change does not lose the part-months on either side.
 */
export function monthsContributed(periods: readonly Period[], today: string): number {
  const clipped = periods
    .filter((p) => p.start <= today)
    .map((p) => ({ start: p.start, end: p.end === "" || p.end > today ? today : p.end }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: Array<{ start: string; end: string }> = [];
  for (const p of clipped) {
    const last = merged[merged.length - 1];
    if (last && p.start <= addDays(last.end, 1)) {
      if (p.end > last.end) last.end = p.end;
    } else {
      merged.push({ ...p });
    }
  }
  return merged.reduce((n, p) => n + wholeMonths(p.start, p.end), 0);
}

/** The period a certificate names: the active one that started last, else the one that ended last. */
export function currentOrLast<T extends Period>(periods: readonly T[]): T | undefined {
  const latestBy = (key: (p: T) => string) => (best: T | undefined, p: T) => (!best || key(p) > key(best) ? p : best);
  const active = periods.filter((p) => p.end === "").reduce<T | undefined>(latestBy((p) => p.start), undefined);
  return active ?? periods.reduce<T | undefined>(latestBy((p) => p.end), undefined);
}
