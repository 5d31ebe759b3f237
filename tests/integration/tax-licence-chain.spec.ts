/**
 * withTaxLicence (services/tax/licence-steps.ts): a licence voided after an earlier refusal of the
 * same request is found inside the request's own transaction, which rolls back, and the next
 * licence of its chain is issued; the request commits once, with that licence; a retry answers the
 * stored result. On PostgreSQL and on PGlite, with a licence service that numbers licences by their
 * idempotency key as the real one answers a repeated key (the licence chain, not the licence
 * service, is under test here; tests/integration/departments.spec.ts runs the real one).
 */
import crypto from "node:crypto";
import { ServiceBroker, type Context } from "moleculer";
import type { Database } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";
import { deriveKey, once } from "../../services/common/idempotency";
import { projectPath } from "../../services/common/paths";
import { withTaxLicence, type TaxLicenceRequest } from "../../services/tax/licence-steps";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";

const DATE = "2026-12-02";
const SCOPE = "test:registerTaxpayer";
const LICENCE: TaxLicenceRequest = { typeCode: "TAXREG", holderId: "91510104MA6CPJ2M0X", caseId: "case-chain-1", fields: { registered_on: DATE } };
const numberFor = (key: string) => `L-${crypto.createHash("sha256").update(key).digest("hex").slice(0, 16)}`;

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`withTaxLicence on ${name}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    let broker: ServiceBroker;
    const issuedKeys: string[] = [];
    const recorded: string[] = [];

    beforeAll(async () => {
      ({ db, done } = await open());
      await migrate(db, projectPath("services", "tax", "migrations"), projectPath("services", "common", "migrations"));
      broker = new ServiceBroker({ logger: false });
      broker.createService({
        name: "licenses",
        actions: {
          issueLicence(ctx: Context<{ idempotencyKey: string }>) {
            issuedKeys.push(ctx.params.idempotencyKey);
            return { number: numberFor(ctx.params.idempotencyKey) };
          },
        },
      });
      broker.createService({
        name: "chain",
        actions: {
          // A request keyed `key` that records the licence it was given: checked as the transaction's
          // read, as RegisterTaxpayer does, or (`inTransaction`) as a statement of it, as RequestClearance does.
          run: (ctx: Context<{ key: string; inTransaction?: boolean }>) =>
            withTaxLicence(ctx as never, ctx.params.key, DATE, LICENCE, (licence, live) =>
              once(
                db,
                SCOPE,
                ctx.params.key,
                { key: ctx.params.key },
                async (tx, [read]) => {
                  if (ctx.params.inTransaction) await live.inTransaction(tx);
                  else live.check(read);
                  recorded.push(licence.number);
                  tx.atCommit("INSERT INTO voided_licences (number) VALUES ($1)", [`recorded:${licence.number}`]);
                  return { licenceNumber: licence.number };
                },
                ctx.params.inTransaction ? undefined : [live.read],
              ),
            ),
        },
      });
      await broker.start();
    });
    afterAll(async () => {
      await broker.stop();
      await done();
    });

    it("takes a licence that was never voided at once, in one transaction", async () => {
      issuedKeys.length = 0;
      recorded.length = 0;
      const answer = await broker.call<{ licenceNumber: string }, { key: string }>("chain.run", { key: "chain-fresh-1" });
      expect(answer.licenceNumber).toBe(numberFor(deriveKey("chain-fresh-1", `licence:${DATE}`)));
      expect(issuedKeys).toEqual([deriveKey("chain-fresh-1", `licence:${DATE}`)]);
      expect(recorded).toEqual([answer.licenceNumber]);
    });

    it.each([
      ["as the transaction's read", false],
      ["as a statement of the transaction", true],
    ])("skips a voided licence for the next of its chain (checked %s); the voided try leaves nothing; a retry answers the same", async (_how, inTransaction) => {
      const requestKey = `chain-voided-${inTransaction ? "tx" : "read"}`;
      issuedKeys.length = 0;
      recorded.length = 0;
      const firstKey = deriveKey(requestKey, `licence:${DATE}`);
      const voided = numberFor(firstKey);
      await db.query("INSERT INTO voided_licences (number) VALUES ($1)", [voided]);

      const answer = await broker.call<{ licenceNumber: string }, { key: string; inTransaction: boolean }>("chain.run", { key: requestKey, inTransaction });
      const secondKey = deriveKey(requestKey, `licence-after:${voided}`);
      expect(issuedKeys).toEqual([firstKey, secondKey]);
      expect(answer.licenceNumber).toBe(numberFor(secondKey));
      // Only the second try wrote: the first rolled back before recording anything.
      expect(recorded).toEqual([answer.licenceNumber]);
      expect((await db.query("SELECT 1 FROM voided_licences WHERE number = $1", [`recorded:${answer.licenceNumber}`])).rows).toHaveLength(1);
      const stored = await db.query<{ response: unknown }>("SELECT response FROM idempotency_keys WHERE scope = $1 AND key = $2", [SCOPE, requestKey]);
      expect(stored.rows.map((r) => r.response)).toEqual([{ licenceNumber: answer.licenceNumber }]);
      expect((await db.query("SELECT 1 FROM voided_licences WHERE number = $1", [`recorded:${voided}`])).rows).toEqual([]);

      // A retry meets the stored answer: nothing more is recorded.
      expect(await broker.call("chain.run", { key: requestKey, inTransaction })).toEqual(answer);
      expect(recorded).toEqual([answer.licenceNumber]);
    });

    it("refuses a request whose every licence in the chain was voided, writing nothing", async () => {
      // Each licence of the chain voided before it is issued: the licence service is asked 10 times.
      issuedKeys.length = 0;
      recorded.length = 0;
      let step = `licence:${DATE}`;
      for (let i = 0; i < 10; i++) {
        const number = numberFor(deriveKey("chain-all-1", step));
        await db.query("INSERT INTO voided_licences (number) VALUES ($1)", [number]);
        step = `licence-after:${number}`;
      }
      await expect(broker.call("chain.run", { key: "chain-all-1" })).rejects.toThrow(/refused 10 times/);
      expect(issuedKeys).toHaveLength(10);
      expect(recorded).toEqual([]);
      expect((await db.query("SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = 'chain-all-1'", [SCOPE])).rows).toEqual([]);
    });
  });
}

for (const [name, open] of databaseDrivers("tax")) describeDriver(name, open);
