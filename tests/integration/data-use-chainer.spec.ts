/**
 * The data-use log's chaining passes (services/common/data-use-chain.ts) on PostgreSQL and on
 * PGlite: an idle log costs a pass one indexed read and no transaction; an entry written while
 * idle is found by that read and chained; after a pass that chained entries the next goes straight
 * to its transaction (more are likely under load), and once one finds nothing the probe is back.
 */
import type { Database } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";
import { DataUseChainer, anyUnchained, verifyChain } from "../../services/common/data-use-chain";
import { projectPath } from "../../services/common/paths";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";

/** A handle that counts the transactions opened and the statements sent outside them. */
function counting(db: Database): { db: Database; transactions: () => number; queries: () => number } {
  let transactions = 0;
  let queries = 0;
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "transaction") return (...args: unknown[]) => (transactions++, (value as (...a: unknown[]) => unknown).apply(target, args));
      if (prop === "query") return (...args: unknown[]) => (queries++, (value as (...a: unknown[]) => unknown).apply(target, args));
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { db: counted, transactions: () => transactions, queries: () => queries };
}

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`data-use chaining passes on ${name}`, () => {
    let opened: OpenedDatabase;
    beforeAll(async () => {
      opened = await open();
      await migrate(opened.db, projectPath("services", "tax", "migrations"), projectPath("services", "common", "migrations"));
    });
    afterAll(async () => opened.done());

    const use = (subject: string) =>
      opened.db.query("INSERT INTO data_uses (subject_id, reader, case_id, action, kind, what, item, purpose) VALUES ($1, 'tax', 'C-1', 'read', 'read', 'person', $1, 'test')", [subject]);
    const unchained = async () => (await opened.db.query<{ n: number }>("SELECT count(*)::int AS n FROM data_uses WHERE seq IS NULL")).rows[0].n;

    it("probes an idle log without a transaction, chains what arrives, skips the probe after a pass that chained, and probes again once one finds nothing", async () => {
      const c = counting(opened.db);
      const chainer = new DataUseChainer(c.db);

      expect(await anyUnchained(opened.db)).toBe(false);
      expect(await chainer.pass()).toBe(0);
      expect(await chainer.pass()).toBe(0);
      expect([c.transactions(), c.queries()]).toEqual([0, 2]);

      await use("110101199003070000");
      await use("110101199003070001");
      expect(await anyUnchained(opened.db)).toBe(true);
      expect(await chainer.pass()).toBe(2);
      expect([c.transactions(), c.queries()]).toEqual([1, 3]);
      expect(await unchained()).toBe(0);

      // Right after a pass that chained: no probe, straight to the transaction.
      await use("110101199003070002");
      expect(await chainer.pass()).toBe(1);
      expect([c.transactions(), c.queries()]).toEqual([2, 3]);
      expect(await chainer.pass()).toBe(0);
      expect([c.transactions(), c.queries()]).toEqual([3, 3]);
      // That pass found nothing: the next probes again.
      expect(await chainer.pass()).toBe(0);
      expect([c.transactions(), c.queries()]).toEqual([3, 4]);

      const report = await verifyChain(opened.db);
      expect(report.problem).toBeUndefined();
      expect([report.entries, report.unchained, report.head.seq]).toEqual([3, 0, "3"]);
    });
  });
}

for (const [name, open] of databaseDrivers("tax")) describeDriver(name, open);
