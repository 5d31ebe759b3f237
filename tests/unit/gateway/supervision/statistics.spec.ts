/** 电子监察's statistics on a fixed set of units, every figure computed by hand below. */
import { computeStatistics, periodOf, statisticsCsv, type WorkUnit } from "../../../../gateway/supervision/statistics";
import { WorkingCalendar } from "../../../../services/common/working-days";

const cst = (local: string) => new Date(`${local}+08:00`);
const endOf = (date: string) => cst(`${date}T24:00:00`);
const calendar = new WorkingCalendar();
const unit = (u: Partial<WorkUnit> & Pick<WorkUnit, "submittedAt">): WorkUnit => ({ department: "tax", bundleCode: "START_BUSINESS", deadline: null, completedAt: null, ...u });

// 2026-11-23 is a Monday; 28th and 29th the weekend.
const TAX: WorkUnit[] = [
  // Done the same day: 即办, on time, early (0 of 2 working days); 非常满意.
  unit({ submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-25"), completedAt: cst("2026-11-23T15:00:00"), score: 5 }),
  // Done on the deadline's day: 2 working days, on time, not early; 基本满意.
  unit({ submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-25"), completedAt: cst("2026-11-25T12:00:00"), score: 3 }),
  // A day late: 3 working days; 非常不满意, rectified and called back.
  unit({ submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-25"), completedAt: cst("2026-11-26T09:00:00"), score: 1, rectification: "CLOSED" }),
  // Friday afternoon, due Monday, done Monday: 1 working day, on time, not early; 不满意, answered, not yet called back.
  unit({ submittedAt: cst("2026-11-27T16:00:00"), deadline: endOf("2026-11-30"), completedAt: cst("2026-11-30T10:00:00"), score: 2, rectification: "ANSWERED" }),
  // Never completed (its application was compensated); 不满意, not answered yet.
  unit({ submittedAt: cst("2026-11-24T09:00:00"), deadline: endOf("2026-11-26"), score: 2, rectification: "OPEN" }),
  // Submitted on Saturday: accepted Monday, done Monday: 即办 and early (0 of 1); not rated.
  unit({ submittedAt: cst("2026-11-28T10:00:00"), deadline: endOf("2026-12-01"), completedAt: cst("2026-11-30T11:00:00") }),
];

describe("computeStatistics", () => {
  it("computes each figure per department and bundle", () => {
    const oneWindow = unit({ department: "data", submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-27"), completedAt: cst("2026-11-26T09:00:00"), score: 4 });
    const rows = computeStatistics([...TAX, oneWindow], calendar);
    expect(rows.map((r) => r.department)).toEqual(["data", "tax"]);
    expect(rows[1]).toEqual({
      department: "tax",
      bundleCode: "START_BUSINESS",
      accepted: 6,
      completed: 5,
      immediate: 2,
      onTime: 4,
      early: 2,
      immediateRate: 0.4,
      onTimeRate: 0.8,
      earlyRate: 0.4,
      averageWorkingDays: 1.2, // (0 + 2 + 3 + 1 + 0) / 5
      ratings: 5,
      satisfied: 2,
      satisfactionRate: 0.4,
      badRatings: 3,
      rectified: 2,
      rectificationRate: 0.6667,
      revisited: 1,
      revisitRate: 0.5,
    });
    // Three working days of four, one day early; 满意.
    expect(rows[0]).toMatchObject({ accepted: 1, completed: 1, immediate: 0, onTime: 1, early: 1, averageWorkingDays: 3, ratings: 1, satisfactionRate: 1, badRatings: 0, rectificationRate: 0 });
  });

  it("decides on time and early step by step: a late step is not hidden by a later step's deadline", () => {
    const steps = [
      // Establishment: ready Monday, due Tuesday, decided Friday — late.
      { readyAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-24"), finishedAt: cst("2026-11-27T10:00:00") },
      // Seal: ready Friday, due next Wednesday, done Friday — early on its own.
      { readyAt: cst("2026-11-27T10:00:00"), deadline: endOf("2026-12-02"), finishedAt: cst("2026-11-27T11:00:00") },
    ];
    const late = unit({ department: "samr", submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-12-02"), completedAt: cst("2026-11-27T11:00:00"), steps });
    expect(computeStatistics([late], calendar)[0]).toMatchObject({ completed: 1, onTime: 0, early: 0, averageWorkingDays: 4 });
    const [first, second] = steps;
    const ok = unit({ ...late, steps: [{ ...first, finishedAt: cst("2026-11-23T16:00:00") }, second] });
    expect(computeStatistics([ok], calendar)[0]).toMatchObject({ onTime: 1, early: 1 });
  });

  it("takes a busy centre's year of units (80,000) in one call", () => {
    const many = Array.from({ length: 80_000 }, (_, i) => unit({ submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-25"), completedAt: i % 2 ? cst("2026-11-24T10:00:00") : null }));
    const [row] = computeStatistics(many, calendar);
    expect(row).toMatchObject({ accepted: 80_000, completed: 40_000, onTime: 40_000 });
  });

  it("gives 0 for a rate with nothing to divide by", () => {
    const [row] = computeStatistics([unit({ submittedAt: cst("2026-11-23T10:00:00"), deadline: endOf("2026-11-25") })], calendar);
    expect(row).toMatchObject({ accepted: 1, completed: 0, immediateRate: 0, onTimeRate: 0, averageWorkingDays: 0, ratings: 0, satisfactionRate: 0, revisitRate: 0 });
  });

  it("writes CSV with Chinese headers, quoting, and no spreadsheet formulas", () => {
    const csv = statisticsCsv(computeStatistics([...TAX, unit({ department: "tax", bundleCode: "=HYPERLINK(1,2)", submittedAt: cst("2026-11-23T10:00:00") })], calendar));
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0].split(",").slice(0, 5)).toEqual(["部门 department", "一件事 bundle", "受理 accepted", "办结 completed", "即办率 immediate rate"]);
    expect(lines[1].startsWith("tax,\"'=HYPERLINK(1,2)\",1,0,")).toBe(true);
    expect(lines[2]).toBe("tax,START_BUSINESS,6,5,0.4,0.8,0.4,1.2,5,0.4,3,2,0.6667,1,0.5");
    expect(lines[3]).toBe("");
  });
});

describe("periodOf", () => {
  it("takes China dates, both ends included, at most 366 days", () => {
    expect(periodOf("2026-11-01", "2026-11-30")).toEqual({ from: "2026-11-01", to: "2026-11-30", start: cst("2026-11-01T00:00:00"), end: endOf("2026-11-30") });
    const field = (from: unknown, to: unknown) => {
      try {
        periodOf(from, to);
      } catch (err) {
        return (err as { data: { field: string } }).data.field;
      }
      return undefined;
    };
    expect(field("2026-02-30", "2026-03-01")).toBe("from");
    // A month or a day that no calendar has is refused naming its field, not a 500 (an Invalid Date).
    expect(field("2026-13-45", "2026-12-01")).toBe("from");
    expect(field("2026-00-00", "2026-12-01")).toBe("from");
    expect(field("2026-02-01", "2026-13-01")).toBe("to");
    expect(field("2026-11-01", "2026-12-99")).toBe("to");
    expect(field("2026-11-01", "11/30/2026")).toBe("to");
    expect(field("2026-11-30", "2026-11-01")).toBe("to");
    expect(field("2025-01-01", "2026-01-02")).toBe("to");
    expect(field("2025-01-01", "2026-01-01")).toBeUndefined();
    expect(field(undefined, "2026-01-01")).toBe("from");
    // Years the database cannot hold (year 1 starts in year 0 in UTC) are refused, not a 500.
    expect(field("0001-01-01", "0001-01-01")).toBe("from");
    expect(field("2026-01-01", "3000-01-01")).toBe("to");
    expect(periodOf("２０２６-１１-０１", "2026－11－30").from).toBe("2026-11-01");
  });
});
