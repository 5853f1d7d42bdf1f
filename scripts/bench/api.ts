/**
 * Set-up through Atrium's public API, as a person would: tRPC calls with the Origin the server
 * accepts, and a fresh signed-up person. Shared by the scenarios that need an account.
 */

export const BENCH_PASSWORD = "bench-password-correct-horse";

/** Origin header the server accepts: PUBLIC_URL defaults to http://localhost:<port>. */
export function originOf(atriumUrl: string): string {
  return `http://localhost:${new URL(atriumUrl).port}`;
}

/** POSTs one tRPC call; throws with the server's message on a non-2xx answer. */
export async function trpcPost(atriumUrl: string, procedure: string, input: unknown, cookie?: string, timeoutMs = 15_000) {
  const res = await fetch(`${atriumUrl}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: originOf(atriumUrl), ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: { data: Record<string, unknown> }; error?: { message: string } };
  if (!res.ok) throw new Error(`${procedure} answered ${res.status}: ${body.error?.message ?? ""}`);
  return { data: body.result!.data, setCookie: res.headers.get("set-cookie") };
}

/** Signs up a fresh person; returns their email and session cookie (`name=value`). */
export async function signUp(atriumUrl: string, prefix = "bench"): Promise<{ email: string; cookie: string }> {
  const email = `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const { setCookie } = await trpcPost(atriumUrl, "authPassword.signUp", { email, password: BENCH_PASSWORD, name: "Bench" });
  const cookie = setCookie?.split(";")[0];
  if (!cookie) throw new Error("sign-up set no session cookie");
  return { email, cookie };
}
