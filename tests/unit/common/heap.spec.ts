import { limitHeapGrowth } from "../../../services/common/heap";

// What the factor does to a busy hub's memory is measured by the bundle benchmark (peak RSS), not here.
describe("limitHeapGrowth", () => {
  it("sets the factor when the operator gave none", () => {
    expect(limitHeapGrowth(30, [], "")).toBe(30);
    expect(limitHeapGrowth(45.7, ["--enable-source-maps"], "--max-old-space-size=4096")).toBe(45);
  });

  it("leaves V8's own heuristics for 0, and an operator's flag on the command line or in NODE_OPTIONS", () => {
    expect(limitHeapGrowth(0, [], "")).toBeUndefined();
    expect(limitHeapGrowth(30, ["--heap-growing-percent=80"], "")).toBeUndefined();
    expect(limitHeapGrowth(30, [], "--trace-gc --heap_growing_percent=10")).toBeUndefined();
  });
});
