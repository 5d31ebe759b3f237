/** Zipkin ids for any moleculer id, and tracing off unless a collector is configured. */
import { loadConfig } from "../../../services/common/config";
import { tracingOptions, zipkinId } from "../../../services/common/tracing";

describe("zipkinId", () => {
  it("takes a UUID's first 16 hex digits and hashes anything else into 16 hex digits", () => {
    expect(zipkinId("7C30739A-fed5-48c6-876b-dbe3faa2d3b7")).toBe("7c30739afed548c6");
    expect(zipkinId("a1b2c3d4e5f60718")).toBe("a1b2c3d4e5f60718");
    for (const odd of ["req.123", "A20261130-XYZ", "short"]) expect(zipkinId(odd)).toMatch(/^[0-9a-f]{16}$/);
    expect(zipkinId("req.123")).toBe(zipkinId("req.123"));
    expect(zipkinId(null)).toBeNull();
  });
});

describe("tracingOptions", () => {
  it("is off by default and on with TRACING_ZIPKIN_URL, never tagging parameters", () => {
    expect(tracingOptions(loadConfig({}))).toEqual({ enabled: false });
    const on = tracingOptions(loadConfig({ TRACING_ZIPKIN_URL: "http://zipkin:9411", TRACING_SAMPLE_RATE: "0.25" })) as Record<string, any>;
    expect(on).toMatchObject({ enabled: true, sampling: { rate: 0.25 }, tags: { action: { params: false, meta: false, response: false } } });
    expect(() => loadConfig({ TRACING_SAMPLE_RATE: "2" })).toThrow(/TRACING_SAMPLE_RATE must be a number from 0 to 1/);
    expect(() => loadConfig({ TRACING_ZIPKIN_URL: "zipkin:9411" })).toThrow(/TRACING_ZIPKIN_URL/);
  });
});
