/**
 * pinSiNumber: the 单位社保编号 drawn in one statement. Racing registrations of one region draw
 * distinct, consecutive numbers; a retry answers the pinned number without drawing; a key reused
 * for another request is refused; calls racing with one key get one answer; an employer registered
 * before keeps its number; an exhausted sequence is refused, pins nothing and keeps its counter. On
 * PostgreSQL and on PGlite.
 */
import type { Database } from "../../services/common/db/database";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";
import { migrate } from "../../services/common/db/migrations";
import { projectPath } from "../../services/common/paths";
import { pinSiNumber } from "../../services/social-insurance/employers";

const SCOPE = "hrss:registerEmployer:pin";
const request = (creditCode: string) => ({ creditCode, workInjuryRiskClass: 0, caseId: `case-${creditCode}` });
const pin = (db: Database, key: string, creditCode: string, region = "510100") =>
  pinSiNumber(db, SCOPE, key, request(creditCode), { creditCode, region, registeredOn: "2026-12-01" });

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`pinSiNumber on ${name}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
      // The social-insurance schema, as the service's start makes it.
      await migrate(db, projectPath("services", "social-insurance", "migrations"), projectPath("services", "common", "migrations"));
    });
    afterAll(async () => done());

    const counter = async (region: string) =>
      (await db.query<{ v: string }>("SELECT last_value::text AS v FROM si_number_sequences WHERE region = $1", [region])).rows[0]?.v;

    it("gives racing registrations of one region distinct, consecutive numbers", async () => {
      const pinned = await Promise.all(Array.from({ length: 40 }, (_, i) => pin(db, `key-race-${i}`, `91510100RACE${String(i).padStart(6, "0")}`)));
      const numbers = pinned.map((p) => p.siNumber).sort();
      expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => `510100${String(i + 1).padStart(8, "0")}`));
      expect(pinned.every((p) => p.registeredOn === "2026-12-01")).toBe(true);
      expect(await counter("510100")).toBe("40");
    });

    it("answers a retry with the pinned number and draws nothing", async () => {
      const first = await pin(db, "key-retry-1", "91510100RETRY00001", "510700");
      const again = await pin(db, "key-retry-1", "91510100RETRY00001", "510700");
      expect(again).toEqual(first);
      expect(first.siNumber).toBe("51070000000001");
      expect(await counter("510700")).toBe("1");
    });

    it("answers calls racing with one key alike (a loser's draw is a gap, never a second number for the key)", async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => pin(db, "key-same-1", "91510100SAME000001", "511100")));
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      const { rows } = await db.query<{ response: unknown }>("SELECT response FROM idempotency_keys WHERE scope = $1 AND key = 'key-same-1'", [SCOPE]);
      expect(rows.map((r) => r.response)).toEqual([answers[0]]);
    });

    it("refuses a key reused for another request, drawing nothing", async () => {
      await expect(pin(db, "key-retry-1", "91510100OTHER00001", "510700")).rejects.toMatchObject({ data: { reasonCode: "IDEMPOTENCY_KEY_REUSED" } });
      expect(await counter("510700")).toBe("1");
    });

    it("keeps the number of an employer registered before", async () => {
      await db.query(
        `INSERT INTO employers (credit_code, name, si_number, region_code, region, address, work_injury_risk_class, risk_class_source,
           status, registration_licence_number, registered_on, case_id)
         VALUES ('91510100AGAIN00001', '成都某公司', '51080000000042', '510802', '510800', '四川省广元市', 1, 'derived',
           'EMPLOYER_STATUS_CANCELLED', 'L-1', '2026-01-05', 'c-old')`,
      );
      expect(await pin(db, "key-again-1", "91510100AGAIN00001", "510800")).toEqual({ siNumber: "51080000000042", registeredOn: "2026-12-01" });
      expect(await counter("510800")).toBeUndefined();
    });

    it("gives the last number of the 8-digit sequence, then refuses and pins nothing", async () => {
      await db.query("INSERT INTO si_number_sequences (region, last_value) VALUES ('513400', 99999998)");
      expect((await pin(db, "key-last-1", "91510100LAST000001", "513400")).siNumber).toBe("51340099999999");
      await expect(pin(db, "key-full-1", "91510100FULL000001", "513400")).rejects.toThrow(/513400 is exhausted/);
      await expect(pin(db, "key-full-1", "91510100FULL000001", "513400")).rejects.toThrow(/513400 is exhausted/);
      const { rows } = await db.query("SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = 'key-full-1'", [SCOPE]);
      expect(rows).toEqual([]);
      expect(await counter("513400")).toBe("99999999");
    });
  });
}

for (const [name, open] of databaseDrivers("sipin", 8)) describeDriver(name, open);
