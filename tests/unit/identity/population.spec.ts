/** Synthetic population: determinism, validity, uniqueness, realism and speed. */
import { validateIdNumber } from "../../../services/identity/rules/id-number";
import { REGIONS, addressPrefix, findRegion, streetsFor } from "../../../services/identity/rules/regions";
import { FEMALE_NAME_CHARS, MALE_NAME_CHARS, NEUTRAL_NAME_CHARS } from "../../../services/identity/seed/given-names";
import { ageOn, generatePopulation, type SyntheticPerson } from "../../../services/identity/seed/population";
import { mulberry32, weightedPicker } from "../../../services/identity/seed/prng";
import { SURNAME_WEIGHTS } from "../../../services/identity/seed/surnames";

const SURNAMES = new Set(SURNAME_WEIGHTS.map(([s]) => s));
const MOBILE = /^1(3\d|5[0-35-9]|7[35-8]|8\d|9[13589])\d{8}$/;

function splitName(name: string): [string, string] {
  // Two-character surnames are checked first so 欧阳X is not read as 欧 + 阳X.
  const two = name.slice(0, 2);
  return SURNAMES.has(two) && name.length >= 3 ? [two, name.slice(2)] : [name.slice(0, 1), name.slice(1)];
}

describe("mulberry32", () => {
  it("is deterministic, in [0, 1) and roughly uniform", () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 100_000 }, () => a());
    expect(Array.from({ length: 100_000 }, () => b())).toEqual(xs);
    expect(xs.filter((x) => !(x >= 0 && x < 1))).toEqual([]);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(mulberry32(124)()).not.toBe(mulberry32(123)());
  });

  it("weightedPicker follows the weights", () => {
    const pickOne = weightedPicker<string>([["a", 1], ["b", 3]]);
    const random = mulberry32(9);
    let b = 0;
    for (let i = 0; i < 10_000; i++) if (pickOne(random) === "b") b++;
    expect(b / 10_000).toBeGreaterThan(0.72);
    expect(b / 10_000).toBeLessThan(0.78);
  });
});

describe("generatePopulation", () => {
  let people: SyntheticPerson[];
  let elapsedMs: number;

  beforeAll(() => {
    generatePopulation(200, 1); // warm up the JIT so the timing below measures generation only
    const started = process.hrtime.bigint();
    people = generatePopulation(10_000, 42);
    elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  });

  it("generates 10,000 people in well under a second", () => {
    expect(people).toHaveLength(10_000);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    expect(generatePopulation(500, 42)).toEqual(people.slice(0, 500));
    const other = generatePopulation(500, 43);
    expect(other).not.toEqual(people.slice(0, 500));
    expect(other.filter((p, i) => p.idNumber === people[i].idNumber)).toHaveLength(0);
  });

  it("gives every person a valid, unique identity number consistent with their record", () => {
    expect(new Set(people.map((p) => p.idNumber)).size).toBe(people.length);
    // Mismatches are collected and asserted once: a failure then lists every offending record.
    const bad = people.filter((p) => {
      const result = validateIdNumber(p.idNumber, { today: "2026-01-01" });
      return !(
        result.ok &&
        result.parsed.gender === p.gender &&
        result.parsed.birthDate === p.birthDate &&
        result.parsed.regionCode === p.regionCode &&
        result.parsed.region !== undefined
      );
    });
    expect(bad).toEqual([]);
  });

  it("keeps ages within 18-80 at the default reference date 2026-01-01", () => {
    const ages = people.map((p) => ageOn(p.birthDate, "2026-01-01"));
    expect(Math.min(...ages)).toBe(18);
    expect(Math.max(...ages)).toBe(80);
  });

  it("measures ages at a supplied reference date", () => {
    const ages = generatePopulation(2_000, 7, { referenceDate: "2000-02-29" }).map((p) => ageOn(p.birthDate, "2000-02-29"));
    expect(Math.min(...ages)).toBe(18);
    expect(Math.max(...ages)).toBe(80);
  });

  it("writes addresses that match the region and a real road in it", () => {
    const tail = /^[1-9]\d{0,2}号[1-6]单元([1-9]|1\d|2[0-8])0[1-4]室$/;
    const bad = people.filter((p) => {
      const region = findRegion(p.regionCode);
      if (!region) return true;
      const prefix = addressPrefix(region);
      if (!p.address.startsWith(prefix)) return true;
      const rest = p.address.slice(prefix.length);
      const street = streetsFor(p.regionCode).find((s) => rest.startsWith(s));
      return street === undefined || !tail.test(rest.slice(street.length));
    });
    expect(bad).toEqual([]);
    const chaoyang = people.find((p) => p.regionCode === "110105");
    expect(chaoyang?.address).toMatch(/^北京市朝阳区/);
    const tianhe = people.find((p) => p.regionCode === "440106");
    expect(tianhe?.address).toMatch(/^广东省广州市天河区/);
  });

  it("uses regions from the table, spread across many of them", () => {
    const codes = new Set(people.map((p) => p.regionCode));
    for (const code of codes) expect(REGIONS.some((r) => r.code === code)).toBe(true);
    expect(codes.size).toBeGreaterThan(REGIONS.length * 0.9);
  });

  it("gives realistic, gender-appropriate names with frequency-weighted surnames", () => {
    const counts = new Map<string, number>();
    const bad = people.filter((p) => {
      const [surname, given] = splitName(p.name);
      counts.set(surname, (counts.get(surname) ?? 0) + 1);
      const own = p.gender === "male" ? MALE_NAME_CHARS : FEMALE_NAME_CHARS;
      if (!SURNAMES.has(surname) || given.length < 1 || given.length > 2) return true;
      if (!own.includes(given[given.length - 1])) return true;
      return given.length === 2 && !own.includes(given[0]) && !NEUTRAL_NAME_CHARS.includes(given[0]);
    });
    expect(bad).toEqual([]);
    // 王, 李 and 张 are each about 7% of the weight; rare surnames far less.
    for (const common of ["王", "李", "张"]) expect(counts.get(common) ?? 0).toBeGreaterThan(500);
    expect(counts.get("王") ?? 0).toBeGreaterThan((counts.get("钱") ?? 0) * 10);
    const male = people.filter((p) => p.gender === "male").length;
    expect(male / people.length).toBeGreaterThan(0.47);
    expect(male / people.length).toBeLessThan(0.53);
  });

  it("issues mainland mobile numbers with real prefixes", () => {
    expect(people.filter((p) => !MOBILE.test(p.phone))).toEqual([]);
  });

  it("records mostly 汉族 with some other ethnic groups", () => {
    const han = people.filter((p) => p.ethnicity === "汉族").length / people.length;
    expect(han).toBeGreaterThan(0.85);
    expect(han).toBeLessThan(0.97);
    expect(new Set(people.map((p) => p.ethnicity)).size).toBeGreaterThanOrEqual(8);
    expect(people.filter((p) => !/^.+族$/.test(p.ethnicity))).toEqual([]);
  });

  it("refuses a bad count or reference date", () => {
    expect(generatePopulation(0, 1)).toEqual([]);
    expect(() => generatePopulation(-1, 1)).toThrow(RangeError);
    expect(() => generatePopulation(1, 1, { referenceDate: "2026-02-30" })).toThrow(/referenceDate/);
    expect(() => generatePopulation(1, 1, { minAge: 30, maxAge: 20 })).toThrow(/ages/);
  });
});

describe("ageOn", () => {
  it("counts whole years, turning over on the birthday", () => {
    expect(ageOn("2008-01-01", "2026-01-01")).toBe(18);
    expect(ageOn("2008-01-02", "2026-01-01")).toBe(17);
    expect(ageOn("1945-01-02", "2026-01-01")).toBe(80);
    expect(ageOn("1945-01-01", "2026-01-01")).toBe(81);
  });
});
