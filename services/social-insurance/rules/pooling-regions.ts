/**
 * 统筹区: social insurance is pooled at city level, so an employer's region is the first four
 * digits of its GB/T 2260 code. Each pooling region sets the contribution base floor and ceiling
 * (60% and 300% of the local average monthly wage of urban employees) and its medical insurance
 * rate; pension, unemployment and work-injury rates are national. Pure functions.
 *
 * The wage figures and medical rates below are illustrative, in the range the cities publish; a
 * deployment configures the current ones (they change every July).
 */
import { isKnownProvince, REGIONS } from "../../identity/rules/regions";
import type { ContributionRates } from "../../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { formatRate, formatYuan, percentOf } from "./money";
import { workInjuryRatePpm } from "./risk-class";

/** The four insurances an employer pays, in statement order. */
export const INSURANCES = ["pension", "medical", "unemployment", "work_injury"] as const;
/** One of INSURANCES. */
export type Insurance = (typeof INSURANCES)[number];

/** The insurance types every registration covers, as written on licences. */
export const INSURANCE_TYPES_ZH = "养老、医疗、失业、工伤";

interface PoolingRegionEntry {
  name: string;
  /** 城镇单位就业人员月平均工资 (元), whole yuan. */
  averageMonthlyWage: number;
  /** Employer medical insurance rate (incl. maternity, merged since 2019), millionths. */
  medicalEmployerPpm: bigint;
}

const TABLE: Readonly<Record<string, PoolingRegionEntry>> = Object.freeze({
  "1101": { name: "北京市", averageMonthlyWage: 11761, medicalEmployerPpm: 98000n },
  "2306": { name: "大庆市", averageMonthlyWage: 7060, medicalEmployerPpm: 80000n },
  "3101": { name: "上海市", averageMonthlyWage: 12183, medicalEmployerPpm: 100000n },
  "3501": { name: "福州市", averageMonthlyWage: 8106, medicalEmployerPpm: 80000n },
  "3509": { name: "宁德市", averageMonthlyWage: 6875, medicalEmployerPpm: 80000n },
  "4401": { name: "广州市", averageMonthlyWage: 11560, medicalEmployerPpm: 80000n },
  "4403": { name: "深圳市", averageMonthlyWage: 12964, medicalEmployerPpm: 70000n },
  "5101": { name: "成都市", averageMonthlyWage: 8468, medicalEmployerPpm: 75000n },
});

/** Regions not in the table: a provincial-style average and an 8% medical rate, until configured. */
const DEFAULT_ENTRY: Omit<PoolingRegionEntry, "name"> = { averageMonthlyWage: 7500, medicalEmployerPpm: 80000n };

/** National rates in millionths: pension 16% / 8%, unemployment 0.5% / 0.5%, medical employee 2%. */
const PENSION = { employer: 160000n, employee: 80000n };
const UNEMPLOYMENT = { employer: 5000n, employee: 5000n };
const MEDICAL_EMPLOYEE_PPM = 20000n;

/** Floor and ceiling as percentages of the average wage. */
const FLOOR_PERCENT = 60n;
const CEILING_PERCENT = 300n;

/** A pooling region's bases and medical rate. */
export interface RegionRates {
  /** 4-digit pooling region. */
  region: string;
  name: string;
  /** True when the region is not in the table and the default figures apply. */
  isDefault: boolean;
  baseFloorFen: bigint;
  baseCeilingFen: bigint;
  medicalEmployerPpm: bigint;
}

/** One insurance's employer and employee rates, in millionths. */
export interface InsuranceRatePpm {
  insurance: Insurance;
  employerPpm: bigint;
  employeePpm: bigint;
}

/**
 * The pooling region of a GB/T 2260 code: 6-digit county codes and 4-digit city codes both give
 * the city. Undefined for malformed codes, unknown provinces and province-level codes (xx00).
 */
export function poolingRegionOf(code: string): string | undefined {
  if (!/^\d{4}(\d{2})?$/.test(code)) return undefined;
  if (!isKnownProvince(code.slice(0, 2)) || code.slice(2, 4) === "00") return undefined;
  return code.slice(0, 4);
}

/** The city's name from the table, else from the curated GB/T 2260 list, else a neutral label. */
function regionName(region: string): string {
  return TABLE[region]?.name ?? REGIONS.find((r) => r.code.startsWith(region))?.city ?? `统筹区${region}`;
}

/** Bases and medical rate of a 4-digit pooling region (table entry or documented default). */
export function regionRates(region: string): RegionRates {
  if (!/^\d{4}$/.test(region)) throw new RangeError(`a pooling region is 4 digits (got "${region}")`);
  const entry = TABLE[region] ?? DEFAULT_ENTRY;
  const averageFen = BigInt(entry.averageMonthlyWage) * 100n;
  return {
    region,
    name: regionName(region),
    isDefault: TABLE[region] === undefined,
    baseFloorFen: percentOf(averageFen, FLOOR_PERCENT),
    baseCeilingFen: percentOf(averageFen, CEILING_PERCENT),
    medicalEmployerPpm: entry.medicalEmployerPpm,
  };
}

/** The four insurances' employer and employee rates for an employer of this region and risk class. */
export function insuranceRates(rates: RegionRates, riskClass: number): InsuranceRatePpm[] {
  return [
    { insurance: "pension", employerPpm: PENSION.employer, employeePpm: PENSION.employee },
    { insurance: "medical", employerPpm: rates.medicalEmployerPpm, employeePpm: MEDICAL_EMPLOYEE_PPM },
    { insurance: "unemployment", employerPpm: UNEMPLOYMENT.employer, employeePpm: UNEMPLOYMENT.employee },
    // Employees pay no work-injury insurance.
    { insurance: "work_injury", employerPpm: workInjuryRatePpm(riskClass), employeePpm: 0n },
  ];
}

/**
 * A region's bases and rates as the API answers them. Work injury is set per employer by risk
 * class; without an employer the answer gives class 1, the lowest benchmark rate.
 */
export function contributionRatesOf(region: string): ContributionRates {
  const rates = regionRates(region);
  return {
    region: rates.region,
    regionName: rates.name,
    baseFloor: formatYuan(rates.baseFloorFen),
    baseCeiling: formatYuan(rates.baseCeilingFen),
    rates: insuranceRates(rates, 1).map((r) => ({
      insurance: r.insurance,
      employerRate: formatRate(r.employerPpm),
      employeeRate: formatRate(r.employeePpm),
    })),
  };
}

/** The pooling regions with their own figures (for documentation and tests). */
export const CONFIGURED_REGIONS: readonly string[] = Object.freeze(Object.keys(TABLE).sort());
