/** The supervision API (GET /v1/supervision/...) with the officer token kept for this tab. */
const KEY = "tongban.officerToken";

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const token = (): string | null => sessionStorage.getItem(KEY);
export const setToken = (value: string): void => sessionStorage.setItem(KEY, value.trim());

/** The department an officer token speaks for (its payload's sub; the hub verifies it on every call). */
export function tokenDepartment(): string | null {
  const value = token();
  if (!value) return null;
  try {
    const payload = JSON.parse(atob(value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown };
    return typeof payload.sub === "string" ? payload.sub : null;
  } catch {
    return null;
  }
}

async function call(path: string, query: Record<string, string> = {}): Promise<Response> {
  const value = token();
  if (!value) throw new ApiError(401, "no token");
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ""));
  const res = await fetch(`/v1/supervision/${path}${qs.size > 0 ? `?${qs}` : ""}`, { headers: { authorization: `Bearer ${value}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new ApiError(res.status, body?.error?.message ?? res.statusText);
  }
  return res;
}

export const getJson = async <T>(path: string, query: Record<string, string> = {}): Promise<T> => (await call(path, query)).json() as Promise<T>;
export const getText = async (path: string, query: Record<string, string> = {}): Promise<string> => (await call(path, query)).text();
