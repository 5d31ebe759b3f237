/** Process start: a wrong setting stops the process at once with a message naming the variable. */
import { spawnHub } from "../support/hub-process";

describe("configuration at start", () => {
  it.each([
    [{ PORT: "eighty" }, /PORT must be a whole number from 0 to 65535 \(got "eighty"\)/],
    [{ NATS_URL: "http://127.0.0.1:4222" }, /NATS_URL must be a URL starting with nats:\/\/ or tls:\/\//],
    [{ SERVICES: "identity,payroll" }, /SERVICES must be a comma-separated list of identity, licenses, business-registration, tax, social-insurance, gateway \(unknown: "payroll"\)/],
    [{ LICENSE_SIGNING_ALGORITHM: "RSA" }, /LICENSE_SIGNING_ALGORITHM must be one of SM2-SM3, ED25519/],
  ])("refuses %p", async (env, message) => {
    const p = spawnHub("bad-config", env as Record<string, string>);
    const exit = await new Promise<number | null>((resolve) => p.proc.once("exit", (code) => resolve(code)));
    expect(exit).toBe(2);
    expect(p.logs()).toMatch(/^Invalid configuration:/);
    expect(p.logs()).toMatch(message);
  });
});
