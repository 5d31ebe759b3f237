/**
 * Working days in China Standard Time: the National Day week of 2026 (1–7 October off, Saturday
 * 10 October a make-up working day, 调休), weekends, a centre's own closures, and deadlines at the
 * end of a working day in Asia/Shanghai.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readOverrides, WorkingCalendar } from "../../../services/common/working-days";
import { todayInChina } from "../../../services/common/validate";

const cst = (local: string) => new Date(`${local}+08:00`);
/** The instant a China date ends: its next midnight in CST. */
const endOf = (date: string) => new Date(Date.parse(`${date}T00:00:00+08:00`) + 24 * 3600_000);
const calendar = new WorkingCalendar();

describe("working days", () => {
  it("knows the National Day holidays and the make-up Saturday", () => {
    expect(["2026-10-01", "2026-10-05", "2026-10-07"].map((d) => calendar.isWorkingDay(d))).toEqual([false, false, false]);
    expect(calendar.isWorkingDay("2026-10-10")).toBe(true); // Saturday, 调休
    expect(calendar.isWorkingDay("2026-10-11")).toBe(false); // Sunday
    expect(calendar.isWorkingDay("2026-10-08")).toBe(true);
  });

  it("counts a limit across the National Day week and through the 调休 Saturday", () => {
    expect(calendar.deadline(cst("2026-09-30T10:00:00"), 1)).toEqual(endOf("2026-10-08"));
    expect(calendar.deadline(cst("2026-10-08T09:00:00"), 3)).toEqual(endOf("2026-10-12")); // 9th, 10th (Saturday), 12th
    expect(calendar.deadline(cst("2026-09-30T10:00:00"), 5)).toEqual(endOf("2026-10-13"));
  });

  it("makes 即办件 (0 days) due the same working day, or the next one when submitted on a day off", () => {
    expect(calendar.deadline(cst("2026-09-30T16:59:00"), 0)).toEqual(endOf("2026-09-30"));
    expect(calendar.deadline(cst("2026-10-03T11:00:00"), 0)).toEqual(endOf("2026-10-08"));
    // 00:30 on 1 October in China is still 30 September in UTC: the China date counts.
    expect(calendar.deadline(new Date("2026-09-30T16:30:00Z"), 0)).toEqual(endOf("2026-10-08"));
  });

  it("puts a Monday afternoon's limits at the end of working days, never at night or on a weekend", () => {
    const monday = cst("2026-11-23T15:30:00");
    expect(calendar.deadline(monday, 0.5)).toEqual(endOf("2026-11-24"));
    expect(calendar.deadline(monday, 5)).toEqual(endOf("2026-11-30"));
    expect(new Date(calendar.deadline(monday, 5).getTime() - 1).getUTCDay()).toBe(1); // the last moment is on Monday (CST date)
    expect(calendar.deadline(cst("2026-11-27T17:00:00"), 1)).toEqual(endOf("2026-11-30")); // Friday -> Monday
  });

  it("takes a centre's own closed and open days from an override file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tongban-days-")), "days.json");
    fs.writeFileSync(file, JSON.stringify({ closed: ["2026-10-09"], open: ["2026-10-11"] }));
    const centre = new WorkingCalendar(readOverrides(file));
    expect(centre.isWorkingDay("2026-10-09")).toBe(false);
    expect(centre.isWorkingDay("2026-10-11")).toBe(true);
    expect(centre.deadline(cst("2026-10-08T09:00:00"), 3)).toEqual(endOf("2026-10-12")); // 10th, 11th, 12th
    fs.writeFileSync(file, JSON.stringify({ closed: ["9 October"] }));
    expect(() => readOverrides(file)).toThrow(/WORKDAY_OVERRIDES: closed .* YYYY-MM-DD/);
    expect(() => readOverrides(path.join(path.dirname(file), "missing.json"))).toThrow(/cannot read/);
    expect(readOverrides(undefined)).toEqual({});
  });

  it("knows which years' holidays it has (chinese-days, or the centre's own closures)", () => {
    expect(calendar.knowsYear(2026)).toBe(true);
    const far = 2100;
    expect(calendar.knowsYear(far)).toBe(false);
    expect(new WorkingCalendar({ closed: [`${far}-01-01`] }).knowsYear(far)).toBe(true);
    expect(calendar.lastKnownYear(2026)).toBeGreaterThanOrEqual(2026);
    expect(calendar.lastKnownYear(far)).toBe(far - 1);
  });

  it("counts the working days a piece of work took as deadlines count them", () => {
    expect(calendar.workingDaysUsed(cst("2026-09-30T10:00:00"), cst("2026-10-12T10:00:00"))).toBe(4); // 8th, 9th, 10th (Saturday), 12th
    expect(calendar.workingDaysUsed(cst("2026-09-30T09:00:00"), cst("2026-09-30T17:00:00"))).toBe(0); // 即办
    // Submitted during the holiday: its first working day is the 8th.
    expect(calendar.workingDaysUsed(cst("2026-10-03T09:00:00"), cst("2026-10-08T16:00:00"))).toBe(0);
    expect(calendar.workingDaysUsed(cst("2026-10-03T09:00:00"), cst("2026-10-05T16:00:00"))).toBe(0);
    for (const days of [0, 1, 3, 7, 20]) {
      const start = cst("2026-09-29T15:00:00");
      expect(calendar.workingDaysUsed(start, new Date(calendar.deadline(start, days).getTime() - 1))).toBe(days);
    }
    expect(todayInChina(new Date("2026-09-30T16:30:00Z"))).toBe("2026-10-01");
  });
});
