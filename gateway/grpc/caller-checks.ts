/**
 * Authentication and authorisation at the gRPC edge: the token's key is looked up in the
 * department registry over the bus, and the (department, method) grant likewise. Answers are kept
 * for a few seconds and dropped when the registry announces a change.
 */
import type { ServiceBroker } from "moleculer";
import { verifyDepartmentToken, type PublicCredential } from "../../services/common/department-token";

const TTL_MS = 10_000;

class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const value = load();
    this.entries.set(key, { value, expiresAt: Date.now() + TTL_MS });
    // A failed lookup (bus down) must not be remembered.
    value.catch(() => this.entries.delete(key));
    return value;
  }
  clear() {
    this.entries.clear();
  }
}

/** Verifies tokens and grants for one edge. */
export class CallerChecks {
  private readonly credentials = new TtlCache<PublicCredential | null>();
  private readonly grants = new TtlCache<boolean>();

  constructor(
    private readonly broker: ServiceBroker,
    private readonly maxTokenAgeSeconds: number,
  ) {}

  /** The department a bearer token speaks for; throws TokenError otherwise. */
  authenticate(token: string): Promise<string> {
    return verifyDepartmentToken(
      token,
      (keyId) => this.credentials.get(keyId, () => this.broker.call<PublicCredential | null, object>("departments.credential", { keyId })),
      this.maxTokenAgeSeconds,
    );
  }

  /** Whether the department may call the method (its owner, or granted by the owner). */
  isAllowed(department: string, method: string): Promise<boolean> {
    return this.grants.get(`${department} ${method}`, async () =>
      (await this.broker.call<{ allowed: boolean }, object>("departments.isAllowed", { department, method })).allowed,
    );
  }

  /** Drops cached answers (the registry changed). */
  clear() {
    this.credentials.clear();
    this.grants.clear();
  }
}
