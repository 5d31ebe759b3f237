/** The population registry: reads and name checks, each recorded with its reader and case. */
import type { Database } from "../common/db/database";
import { readRecorded } from "../common/data-use-log";
import { notFound } from "../common/errors";
import { Gender, type Person } from "../../proto/gen/tongban/identity/v1/identity";

interface PersonRow {
  id_number: string;
  name: string;
  gender: "male" | "female";
  birth_date: string;
  region_code: string;
  address: string;
  phone: string;
  ethnicity: string;
}

const PERSON_COLUMNS = "id_number, name, gender, birth_date::text AS birth_date, region_code, address, phone, ethnicity";

function toPerson(r: PersonRow): Person {
  return {
    idNumber: r.id_number,
    name: r.name,
    gender: r.gender === "male" ? Gender.GENDER_MALE : Gender.GENDER_FEMALE,
    birthDate: r.birth_date,
    regionCode: r.region_code,
    address: r.address,
    phone: r.phone,
    ethnicity: r.ethnicity,
  };
}

/** A person's base data, recording the read; NOT_FOUND when unknown. */
export async function getPerson(db: Database, idNumber: string, reader: string, caseId: string, purpose = ""): Promise<Person> {
  const rows = await readRecorded<PersonRow>(db, `SELECT ${PERSON_COLUMNS} FROM persons WHERE id_number = $1`, [idNumber], {
    subjectId: idNumber,
    reader,
    caseId,
    action: "get",
    what: "person",
    purpose,
  });
  if (rows.length === 0) throw notFound("person", idNumber);
  return toPerson(rows[0]);
}

/** Whether `name` is the registered name of `idNumber`; an unknown number is simply "no". */
export async function verifyPerson(db: Database, idNumber: string, name: string, reader: string, caseId: string, purpose = "") {
  const rows = await readRecorded<{ name: string }>(db, "SELECT name FROM persons WHERE id_number = $1", [idNumber], { subjectId: idNumber, reader, caseId, action: "verify", what: "person", purpose });
  return { match: rows.length === 1 && rows[0].name === name };
}

/** Inserts persons in batches; existing ID numbers are left as they are. Returns rows inserted. */
export async function insertPersons(
  db: Database,
  persons: Array<{
    idNumber: string;
    name: string;
    gender: "male" | "female";
    birthDate: string;
    regionCode: string;
    address: string;
    phone: string;
    ethnicity: string;
  }>,
  batchSize = 500,
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < persons.length; i += batchSize) {
    const batch = persons.slice(i, i + batchSize);
    const params: unknown[] = [];
    const tuples = batch.map((p, j) => {
      params.push(p.idNumber, p.name, p.gender, p.birthDate, p.regionCode, p.address, p.phone, p.ethnicity);
      const b = j * 8;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
    });
    const r = await db.query(
      `INSERT INTO persons (id_number, name, gender, birth_date, region_code, address, phone, ethnicity)
       VALUES ${tuples.join(", ")} ON CONFLICT (id_number) DO NOTHING`,
      params,
    );
    inserted += r.rowCount;
  }
  return inserted;
}

/** Number of persons in the registry. */
export async function countPersons(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons");
  return rows[0].n;
}
