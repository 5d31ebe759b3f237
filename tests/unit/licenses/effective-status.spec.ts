import { LicenceStatus } from "../../../proto/gen/tongban/licenses/v1/licenses";
import { effectiveStatus } from "../../../services/licenses/licences";

const { LICENCE_STATUS_VALID: VALID, LICENCE_STATUS_EXPIRED: EXPIRED, LICENCE_STATUS_SUSPENDED: SUSPENDED, LICENCE_STATUS_REVOKED: REVOKED } =
  LicenceStatus;

describe("effectiveStatus", () => {
  it("keeps a valid licence valid up to and including its last day", () => {
    expect(effectiveStatus(VALID, "2026-11-22", "2026-11-21")).toBe(VALID);
    expect(effectiveStatus(VALID, "2026-11-22", "2026-11-22")).toBe(VALID);
  });

  it("reads a valid licence past its valid_until as expired", () => {
    expect(effectiveStatus(VALID, "2026-11-22", "2026-11-23")).toBe(EXPIRED);
    expect(effectiveStatus(VALID, "2025-12-31", "2026-01-01")).toBe(EXPIRED);
    expect(effectiveStatus(VALID, "2020-02-29", "2026-11-22")).toBe(EXPIRED);
  });

  it("never expires a licence without valid_until", () => {
    expect(effectiveStatus(VALID, "", "2999-12-31")).toBe(VALID);
    expect(effectiveStatus(VALID, "", "0000-01-01")).toBe(VALID);
  });

  it("leaves suspended and revoked licences as they are, even past valid_until", () => {
    expect(effectiveStatus(SUSPENDED, "2020-01-01", "2026-11-22")).toBe(SUSPENDED);
    expect(effectiveStatus(SUSPENDED, "2030-01-01", "2026-11-22")).toBe(SUSPENDED);
    expect(effectiveStatus(SUSPENDED, "", "2026-11-22")).toBe(SUSPENDED);
    expect(effectiveStatus(REVOKED, "2020-01-01", "2026-11-22")).toBe(REVOKED);
    expect(effectiveStatus(EXPIRED, "2020-01-01", "2026-11-22")).toBe(EXPIRED);
    expect(effectiveStatus(EXPIRED, "2030-01-01", "2026-11-22")).toBe(EXPIRED);
  });

  it("defaults today to the date in China", () => {
    // valid_until far in the past / future so the test does not depend on the hour it runs
    expect(effectiveStatus(VALID, "2000-01-01")).toBe(EXPIRED);
    expect(effectiveStatus(VALID, "2999-12-31")).toBe(VALID);
  });
});
