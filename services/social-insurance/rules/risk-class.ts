/**
 * 工伤保险行业风险类别: the work-injury risk class (1 lowest .. 8 highest) of an employer and its
 * benchmark rate (基准费率). Classes follow the national industry risk table 工伤保险行业风险分类表
 * (人社部发〔2015〕71号), its industries placed on GB/T 4754-2017 codes (those of the business scope
 * catalogue, e.g. I6510 软件开发): the section letter gives a default, and the divisions (2 digits,
 * unique across sections) or groups (3 digits) that the table puts in another class override it.
 * Pure functions.
 */

/** Benchmark employer rates per class in millionths: 0.2%, 0.4%, 0.7%, 0.9%, 1.1%, 1.3%, 1.5%, 1.9%. */
export const WORK_INJURY_RATES_PPM: Readonly<Record<number, bigint>> = Object.freeze({
  1: 2000n, 2: 4000n, 3: 7000n, 4: 9000n, 5: 11000n, 6: 13000n, 7: 15000n, 8: 19000n,
});

/** Whether n is a risk class 1-8. */
export function isRiskClass(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 8;
}

/** The benchmark work-injury rate of a class, in millionths. */
export function workInjuryRatePpm(riskClass: number): bigint {
  if (!isRiskClass(riskClass)) throw new RangeError(`work-injury risk class must be 1-8 (got ${riskClass})`);
  return WORK_INJURY_RATES_PPM[riskClass];
}

/**
 * GB/T 4754 section letter -> class of most of its divisions:
 * A agriculture 4 · B mining 8 · C manufacturing 4 · D power, gas, water 4 · E construction 5 ·
 * F wholesale and retail 2 · G transport 5 · H hotels and catering 2 · I information and software 2 ·
 * J finance 1 · K real estate 2 · L leasing and business services (incl. consulting 咨询) 2 ·
 * M research and technical services 2 · N water, environment, public facilities 3 ·
 * O resident services and repair 2 · P education 2 · Q health and social work 2 ·
 * R culture, sport, entertainment 2 · S public administration 1 · T international organisations 1.
 */
const SECTION_CLASS: Readonly<Record<string, number>> = Object.freeze({
  A: 4, B: 8, C: 4, D: 4, E: 5, F: 2, G: 5, H: 2, I: 2, J: 1,
  K: 2, L: 2, M: 2, N: 3, O: 2, P: 2, Q: 2, R: 2, S: 1, T: 1,
});

/** Divisions the risk table classes apart from their section's default. */
const DIVISION_CLASS: Readonly<Record<string, number>> = Object.freeze({
  // A: forestry 5, fishery 6.
  "02": 5, "04": 6,
  // B: oil and gas 7, mining support 5, other mining 7 (coal and ore mining stay 8).
  "07": 7, "11": 5, "12": 7,
  // C, class 3: food, drinks, tobacco, clothing, wood, stationery and sports goods, electronics, instruments, other.
  "13": 3, "14": 3, "15": 3, "16": 3, "18": 3, "20": 3, "24": 3, "39": 3, "40": 3, "41": 3,
  // C, class 5: furniture, paper; class 6: chemicals, non-metallic minerals, metal smelting; class 7: petroleum refining.
  "21": 5, "22": 5, "26": 6, "30": 6, "31": 6, "32": 6, "25": 7,
  // D: water supply 3.
  "46": 3,
  // E: building and civil engineering 6 (installation and decoration stay 5).
  "47": 6, "48": 6,
  // G: railway, air and pipeline transport 4; warehousing (G59, but for loading 591) and post 2.
  "53": 4, "56": 4, "57": 4, "59": 2, "60": 2,
  // I: software and information technology services 1 (telecoms and internet stay 2).
  "65": 1,
  // M: technology promotion and application services 1.
  "75": 1,
  // O: repair of vehicles, electronics and household goods 3.
  "81": 3,
  // Q: social work 1 (health stays 2).
  "85": 1,
  // R: film and broadcasting 1, sport 4, entertainment 3.
  "87": 1, "89": 4, "90": 3,
});

/** Groups classed apart from their division. */
const GROUP_CLASS: Readonly<Record<string, number>> = Object.freeze({
  // 装卸搬运 stays with transport (5) though GB/T 4754-2017 files it under warehousing.
  "591": 5,
});

// A GB/T 4754 code as the business scope catalogue writes it: section letter, then 2-4 digits.
const INDUSTRY_CODE = /^([A-T])((\d{2})\d?)\d?$/;

/** The risk class of one business scope item by its GB/T 4754 code, e.g. I6510 -> 1; undefined when not a code. */
export function riskClassOfIndustry(code: string): number | undefined {
  const m = INDUSTRY_CODE.exec(code.trim().toUpperCase());
  if (!m) return undefined;
  return GROUP_CLASS[m[2]] ?? DIVISION_CLASS[m[3]] ?? SECTION_CLASS[m[1]];
}

/**
 * The risk class of an enterprise: that of its main business (按主营业务确定), which business
 * registration lists first; items without a usable industry code are passed over. Undefined when
 * no item has one.
 */
export function riskClassOfScope(codes: readonly string[]): number | undefined {
  for (const code of codes) {
    const riskClass = riskClassOfIndustry(code);
    if (riskClass !== undefined) return riskClass;
  }
  return undefined;
}
