/**
 * Deterministic synthetic residents for demos, load tests and seed data. Everything derives from
 * the seed and a fixed reference date, never from the clock, so the same call always returns the
 * same people. Every identity number is valid under GB 11643 but is made up: the generator never
 * reads real personal data.
 */
import { daysInMonth, isRealDate, makeIdNumber, type Gender } from "../rules/id-number";
import { REGIONS, addressPrefix, streetsFor, type Region } from "../rules/regions";
import { FEMALE_NAME_CHARS, MALE_NAME_CHARS, NEUTRAL_NAME_CHARS } from "./given-names";
import { mulberry32, pick, randomInt, weightedPicker } from "./prng";
import { SURNAME_WEIGHTS } from "./surnames";

export interface SyntheticPerson {
  idNumber: string;
  name: string;
  gender: Gender;
  /** "YYYY-MM-DD"; the same date is encoded in the identity number. */
  birthDate: string;
  regionCode: string;
  address: string;
  /** 11-digit mainland mobile number. */
  phone: string;
  ethnicity: string;
}

export interface PopulationOptions {
  /** "YYYY-MM-DD" the ages are measured at; default 2026-01-01 so output never depends on the clock. */
  referenceDate?: string;
  /** Youngest age in whole years at the reference date; default 18 (adults only). */
  minAge?: number;
  /** Oldest age in whole years at the reference date; default 80. */
  maxAge?: number;
}

export const DEFAULT_REFERENCE_DATE = "2026-01-01";

// Real allocations of the three carriers (and their virtual-operator ranges in 17x), restricted to
// the 13x/15x/17x/18x/19x families so every number looks like an ordinary personal mobile.
export const MOBILE_PREFIXES: readonly string[] = [
  "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
  "150", "151", "152", "153", "155", "156", "157", "158", "159",
  "173", "175", "176", "177", "178",
  "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
  "191", "193", "195", "198", "199",
];

// Roughly the census shares of the larger groups. Only groups whose members commonly carry
// Han-style names are used, so a name and its ethnicity never look contradictory.
const pickNationalEthnicity = weightedPicker<string>([
  ["汉族", 9110], ["壮族", 140], ["回族", 80], ["满族", 80], ["苗族", 80], ["土家族", 70], ["彝族", 70],
  ["蒙古族", 50], ["布依族", 30], ["瑶族", 25], ["侗族", 20], ["白族", 15], ["朝鲜族", 12],
]);
// Where a group is concentrated its share is far above the national one.
const REGIONAL_ETHNICITY: Readonly<Record<string, readonly [string, number]>> = {
  "15": ["蒙古族", 0.15], "21": ["满族", 0.1], "22": ["朝鲜族", 0.03], "45": ["壮族", 0.3],
  "52": ["布依族", 0.1], "53": ["彝族", 0.08], "64": ["回族", 0.3],
};

const pickSurname = weightedPicker(SURNAME_WEIGHTS);
const MALE_FIRST = [...MALE_NAME_CHARS, ...NEUTRAL_NAME_CHARS];
const FEMALE_FIRST = [...FEMALE_NAME_CHARS, ...NEUTRAL_NAME_CHARS];
const DAY_MS = 86_400_000;
const MAX_ATTEMPTS = 1_000;

/** Generates `count` synthetic residents; the same (count, seed, options) always gives the same list. */
export function generatePopulation(count: number, seed: number, options: PopulationOptions = {}): SyntheticPerson[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer (got ${count})`);
  const referenceDate = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const minAge = options.minAge ?? 18;
  const maxAge = options.maxAge ?? 80;
  if (!isIsoDate(referenceDate)) throw new RangeError(`referenceDate must be YYYY-MM-DD (got "${referenceDate}")`);
  if (!Number.isInteger(minAge) || !Number.isInteger(maxAge) || minAge < 0 || maxAge < minAge) {
    throw new RangeError(`ages must be integers with 0 <= minAge <= maxAge (got ${minAge}-${maxAge})`);
  }

  // Someone is `maxAge` until the day before their (maxAge+1)th birthday, hence the +1 day.
  const latestBirth = epochDay(shiftYears(referenceDate, -minAge));
  const earliestBirth = epochDay(shiftYears(referenceDate, -(maxAge + 1))) + 1;
  const random = mulberry32(seed);
  const used = new Set<string>();
  const people: SyntheticPerson[] = [];

  for (let n = 0; n < count; n++) {
    const region = pick(random, REGIONS);
    const gender: Gender = random() < 0.5 ? "male" : "female";
    const { idNumber, birthDate } = drawIdNumber(random, region, gender, earliestBirth, latestBirth, used);
    used.add(idNumber);
    people.push({
      idNumber,
      name: drawName(random, gender),
      gender,
      birthDate,
      regionCode: region.code,
      address: drawAddress(random, region),
      phone: pick(random, MOBILE_PREFIXES) + String(randomInt(random, 0, 99_999_999)).padStart(8, "0"),
      ethnicity: drawEthnicity(random, region),
    });
  }
  return people;
}

/** Age in whole years on `onDate` of someone born on `birthDate` (both "YYYY-MM-DD"). */
export function ageOn(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = onDate.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

// A (region, birth date) pair has 500 sequence numbers per gender, so collisions are rare; the
// sequence is re-drawn first (keeping the person otherwise unchanged) and the date only if that
// keeps failing, which bounds the loop even for absurdly large counts.
function drawIdNumber(
  random: () => number,
  region: Region,
  gender: Gender,
  earliest: number,
  latest: number,
  used: ReadonlySet<string>,
): { idNumber: string; birthDate: string } {
  let birthDate = isoDate(randomInt(random, earliest, latest));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Odd sequence = male, even = female (GB 11643); 000 is never issued, so females start at 002.
    const sequence = gender === "male" ? 2 * randomInt(random, 0, 499) + 1 : 2 * randomInt(random, 1, 499);
    const idNumber = makeIdNumber(region.code, birthDate, sequence);
    if (!used.has(idNumber)) return { idNumber, birthDate };
    if (attempt % 20 === 0) birthDate = isoDate(randomInt(random, earliest, latest));
  }
  throw new Error(`could not find an unused identity number in region ${region.code}`);
}

function drawName(random: () => number, gender: Gender): string {
  const own = gender === "male" ? MALE_NAME_CHARS : FEMALE_NAME_CHARS;
  // About a fifth of given names are a single character, more so among older generations.
  if (random() < 0.2) return pickSurname(random) + pick(random, own);
  const first = pick(random, gender === "male" ? MALE_FIRST : FEMALE_FIRST);
  return pickSurname(random) + first + pick(random, own);
}

function drawAddress(random: () => number, region: Region): string {
  const street = pick(random, streetsFor(region.code));
  const floor = randomInt(random, 1, 28);
  const room = `${floor}${String(randomInt(random, 1, 4)).padStart(2, "0")}`;
  return `${addressPrefix(region)}${street}${randomInt(random, 1, 399)}号${randomInt(random, 1, 6)}单元${room}室`;
}

function drawEthnicity(random: () => number, region: Region): string {
  const regional = REGIONAL_ETHNICITY[region.code.slice(0, 2)];
  if (regional && random() < regional[1]) return regional[0];
  return pickNationalEthnicity(random);
}

function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

// Moves a date by whole years; 29 February becomes 28 February in a non-leap year.
function shiftYears(iso: string, years: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  const year = y + years;
  const day = Math.min(d, daysInMonth(year, m));
  return `${String(year).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function epochDay(iso: string): number {
  const [y, m, d] = iso.split("-").map(Number);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  return Math.round(new Date(0).setUTCFullYear(y, m - 1, d) / DAY_MS);
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
