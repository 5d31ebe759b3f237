import {
  activeDuringMonth,
  addMonths,
  currentOrLast,
  isMonth,
  monthBounds,
  monthsContributed,
  wholeMonths,
} from "../../../services/social-insurance/rules/periods";

describe("months", () => {
  it("knows a month's first and last day, leap years included", () => {
    expect(monthBounds("2026-11")).toEqual({ first: "2026-11-01", last: "2026-11-30" });
    expect(monthBounds("2024-02")).toEqual({ first: "2024-02-01", last: "2024-02-29" });
    expect(monthBounds("2100-02")).toEqual({ first: "2100-02-01", last: "2100-02-28" });
    expect(isMonth("2026-13")).toBe(false);
    expect(isMonth("2026-1")).toBe(false);
    expect(() => monthBounds("2026-00")).toThrow(RangeError);
  });

  it("owes a month's contributions for any insured day in it", () => {
    const period = { start: "2026-03-15", end: "2026-05-01" };
    expect(activeDuringMonth(period, "2026-02")).toBe(false);
    expect(activeDuringMonth(period, "2026-03")).toBe(true);
    expect(activeDuringMonth(period, "2026-04")).toBe(true);
    expect(activeDuringMonth(period, "2026-05")).toBe(true);
    expect(activeDuringMonth(period, "2026-06")).toBe(false);
    expect(activeDuringMonth({ start: "2026-03-31", end: "" }, "2030-01")).toBe(true);
  });

  it("adds months holding the day at the month's end", () => {
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2023-01-31", 1)).toBe("2023-02-28");
    expect(addMonths("2024-11-15", 3)).toBe("2025-02-15");
    expect(addMonths("2024-03-31", -1)).toBe("2024-02-29");
  });
});

describe("wholeMonths (both days included)", () => {
  it.each([
    ["2024-01-01", "2024-01-31", 1],
    ["2024-01-15", "2024-03-14", 2],
    ["2024-01-15", "2024-03-13", 1],
    ["2024-01-15", "2024-01-15", 0],
    ["2024-01-01", "2024-12-31", 12],
    ["2023-03-01", "2024-02-29", 12],
    // Month-end rule of addMonths: 01-31 + 1 month is 02-29, so 01-31 .. 02-28 is one month.
    ["2024-01-31", "2024-02-27", 0],
    ["2024-01-31", "2024-02-28", 1],
    ["2024-05-10", "2024-05-01", 0],
  ])("%s .. %s = %i", (start, end, expected) => {
    expect(wholeMonths(start, end)).toBe(expected);
  });
});

describe("monthsContributed (累计缴费月数 up to today)", () => {
  const today = "2026-11-22";

  it("counts an active employment up to and including today", () => {
    expect(monthsContributed([{ start: "2024-01-15", end: "" }], today)).toBe(34);
    expect(monthsContributed([{ start: "2026-10-23", end: "" }], today)).toBe(1);
    expect(monthsContributed([{ start: "2026-10-24", end: "" }], today)).toBe(0);
  });

  it("adds separate periods, each in whole months", () => {
    const periods = [
      { start: "2020-01-01", end: "2020-12-31" },
      { start: "2022-03-01", end: "2022-08-15" },
    ];
    expect(monthsContributed(periods, today)).toBe(12 + 5);
  });

  it("does not count overlapping periods (two regions at once) twice", () => {
    const periods = [
      { start: "2025-01-01", end: "2025-06-30" },
      { start: "2025-04-01", end: "2025-09-30" },
    ];
    expect(monthsContributed(periods, today)).toBe(9);
  });

  it("joins back-to-back periods so a change of employer loses no part-month", () => {
    const periods = [
      { start: "2025-01-16", end: "2025-03-31" },
      { start: "2025-04-01", end: "2025-06-15" },
    ];
    // Apart: 2 + 2; joined: 2025-01-16 .. 2025-06-15 is 5 months.
    expect(monthsContributed(periods, today)).toBe(5);
  });

  it("ignores what lies after today and periods not begun", () => {
    expect(monthsContributed([{ start: "2026-01-01", end: "2027-12-31" }], today)).toBe(10);
    expect(monthsContributed([{ start: "2026-12-01", end: "" }], today)).toBe(0);
    expect(monthsContributed([], today)).toBe(0);
  });
});

describe("currentOrLast: the employer a certificate names", () => {
  it("prefers the active employment that started last", () => {
    const history = [
      { start: "2019-01-01", end: "2022-12-31", employer: "甲" },
      { start: "2023-01-01", end: "", employer: "乙" },
      { start: "2024-06-01", end: "", employer: "丙" },
    ];
    expect(currentOrLast(history)?.employer).toBe("丙");
  });

  it("else the one that ended last", () => {
    const history = [
      { start: "2015-01-01", end: "2023-05-31", employer: "甲" },
      { start: "2019-01-01", end: "2021-12-31", employer: "乙" },
    ];
    expect(currentOrLast(history)?.employer).toBe("甲");
    expect(currentOrLast([])).toBeUndefined();
  });
});
