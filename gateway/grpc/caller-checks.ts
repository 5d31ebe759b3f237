/**
 * Authentication and authorisation at the gRPC edge: the token's key is looked up in the
 * department registry over the bus, and the (department, method) grant likewise. Answers are kept
 * for a few seconds and dropped when the registry announces a change.
 */
import type { ServiceBroker } from "moleculer";
import { verifyDepartmentToken, type PublicCredential } from "../../services/common/department-token";
import { Memo } from "../../services/common/memo";

/** How long a registry answer is kept (a change announced by the registry drops it sooner). */
const TTL_MS = 10_000;

/** Verifies tokens and grants for one edge. */
export class CallerChecks {
  private readonly credentials = new Memo<Promise<PublicCredential | null>>(TTL_MS);
  private readonly grants = new Memo<Promise<boolean>>(TTL_MS);

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
