/** An announcement the bus refuses is logged, never left as an unhandled rejection (which stops the process). */
import type { Context } from "moleculer";
import { emitEvent } from "../../../services/common/events";
import { rootLogger } from "../../../services/common/logger";

rootLogger("error");

describe("emitEvent", () => {
  it("swallows and logs a rejected emit", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let emitted = "";
      const ctx = { emit: (event: string) => ((emitted = event), Promise.reject(new Error("NATS is down"))), requestID: "r-1", meta: {} } as unknown as Context;
      expect(emitEvent(ctx, "tax.cleared", { creditCode: "x" })).toBeUndefined();
      await new Promise((r) => setTimeout(r, 20));
      expect(emitted).toBe("tax.cleared");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
