/** Assertions on the typed errors the tax rules throw. */

type TypedError = Error & { type?: string; data?: { field?: string; reason?: string; reasonCode?: string } };

function caught(fn: () => unknown): TypedError {
  try {
    fn();
  } catch (err) {
    return err as TypedError;
  }
  throw new Error("expected the call to throw");
}

/** Expects INVALID_ARGUMENT naming `field`; returns the reason. */
export function expectInvalid(fn: () => unknown, field: string, reason?: RegExp | string): string {
  const e = caught(fn);
  expect(e.type).toBe("INVALID_ARGUMENT");
  expect(e.data?.field).toBe(field);
  if (reason !== undefined) expect(e.data?.reason).toMatch(reason);
  return e.data?.reason ?? "";
}

/** Expects FAILED_PRECONDITION with `reasonCode`; returns the message. */
export function expectRefused(fn: () => unknown, reasonCode: string): string {
  const e = caught(fn);
  expect(e.type).toBe("FAILED_PRECONDITION");
  expect(e.data?.reasonCode).toBe(reasonCode);
  return e.message;
}
