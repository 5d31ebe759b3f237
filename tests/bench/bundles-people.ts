/**
 * Who applies and who is hired: the hub seeds generatePopulation(SEED_POPULATION, 20261122) (the
 * seed services/identity uses), so the benchmark regenerates the same list, as
 * tests/integration/hub-flows.ts does, and draws adult applicants and never-enrolled employees.
 * Trade names (字号) are unique in the run and pass the name rules.
 */
import { checkTradeName } from "../../services/business-registration/rules/names";
import { ageOn, generatePopulation, type SyntheticPerson } from "../../services/identity/seed/population";
import { todayInChina } from "./bundles-util";

const SEED = 20261122;

export interface People {
  applicants: SyntheticPerson[];
  /** Hands out each employee once (per hub: each configuration has a fresh registry). */
  nextEmployee(): SyntheticPerson | undefined;
  employeesLeft(): number;
}

export function people(population: number, applicantCount: number): People {
  const today = todayInChina();
  const all = generatePopulation(population, SEED).filter((p) => ageOn(p.birthDate, today) >= 18);
  const applicants = all.slice(0, applicantCount);
  // Working age, so that nothing about age can refuse an enrolment.
  const employees = all.slice(applicantCount).filter((p) => ageOn(p.birthDate, today) < 60);
  if (applicants.length < applicantCount) throw new Error(`population ${population} has fewer than ${applicantCount} adults`);
  let next = 0;
  return {
    applicants,
    nextEmployee: () => employees[next++],
    employeesLeft: () => Math.max(0, employees.length - next),
  };
}

// 40 characters that make plain, lawful trade names; combinations are checked anyway.
const CHARS = [..."星云青远明启天锦瑞恒嘉华盛泰宏博帆松航德辰达创智源宇晨峰林川泽润丰硕鑫隆信诚睿翔"];

/** Trade names unique for the whole run (字号 must be unique per city and industry). */
export function tradeNames(): () => string {
  let n = 0;
  const L = CHARS.length;
  return () => {
    for (;;) {
      const i = n++;
      let name = CHARS[i % L] + CHARS[Math.floor(i / L) % L] + CHARS[Math.floor(i / (L * L)) % L];
      if (i >= L * L * L) name += CHARS[Math.floor(i / (L * L * L)) % L];
      try {
        checkTradeName(name);
        return name;
      } catch {
        // a region name or a reserved word by accident: take the next one
      }
    }
  };
}
