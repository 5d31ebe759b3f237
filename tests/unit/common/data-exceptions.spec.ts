/**
 * Values the database refuses as data (NUL in text, a number beyond bigint, 30 February) leave an
 * action as INVALID_ARGUMENT (400), not as an internal error: the middleware every broker runs.
 * The errors are PGlite's own (the embedded default), raised by real statements.
 */
import { PGlite } from "@electric-sql/pglite";
import { ServiceBroker } from "moleculer";
import { DataExceptionMiddleware, isInputDataException } from "../../../services/common/data-exceptions";
import { rootLogger } from "../../../services/common/logger";

let pg: PGlite;
let broker: ServiceBroker;

beforeAll(async () => {
  rootLogger("silent");
  pg = new PGlite();
  broker = new ServiceBroker({ logger: false, middlewares: [DataExceptionMiddleware] });
  broker.createService({
    name: "t",
    actions: {
      async cast(ctx: { params: { value: string; type: string } }) {
        const type = ({ text: "text", bigint: "bigint", timestamptz: "timestamptz" } as Record<string, string>)[ctx.params.type];
        return (await pg.query(`SELECT $1::${type} AS v`, [ctx.params.value])).rows;
      },
      async broken() {
        return pg.query("SELECT 1/0");
      },
    },
  });
  await broker.start();
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  await pg?.close();
});

describe("database data exceptions", () => {
  it.each([
    ["text", "a\u0000b"],
    ["bigint", "99999999999999999999"],
    ["bigint", "twelve"],
    ["timestamptz", "2026-02-30T00:00:00Z"],
  ])("a %s of %j is the caller's fault: INVALID_ARGUMENT 400", async (type, value) => {
    await expect(broker.call("t.cast", { type, value })).rejects.toMatchObject({ code: 400, type: "INVALID_ARGUMENT", data: { field: "request" } });
  });

  it("passes other database errors and good values unchanged", async () => {
    await expect(broker.call("t.cast", { type: "bigint", value: "42" })).resolves.toEqual([{ v: 42 }]);
    const err = await broker.call("t.broken").catch((e: unknown) => e);
    expect(isInputDataException(err)).toBe(false);
    expect((err as { code?: unknown }).code).toBe("22012");
  });
});
