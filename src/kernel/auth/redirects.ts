/**
 * Small pieces every redirect-based sign-in needs: where to go afterwards (same-origin paths
 * only), the callback address, and how a flow's state is stored (its SHA-256, never itself).
 */
import { createHash } from "node:crypto";

/** Same-origin paths only; anything else (or the auth pages) goes home. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/^\/(sign-in|sign-up|auth)(\/|\?|$)/.test(next)) return "/";
  if ([...next].some((c) => c.charCodeAt(0) < 0x20)) return "/";
  return next;
}

export function providerCallbackUrl(publicUrl: string, providerId: string): string {
  return `${publicUrl}/auth/${encodeURIComponent(providerId)}/callback`;
}

export function hashFlowState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/** An error's name or code only: its message may quote a provider's response. */
export function errorName(err: unknown): string {
  if (err instanceof Error) return (err as { code?: string }).code ?? err.name;
  return "unknown";
}

/**
 * Where a failed provider sign-in sends the browser: the sign-in page, or (for someone signed
 * in, who was linking an account) the account page's sign-in methods. Both show the message.
 */
export function failureLocation(reason: string, signedIn: boolean): string {
  return signedIn ? `/account?error=${encodeURIComponent(reason)}#sign-in-methods` : `/sign-in?error=${encodeURIComponent(reason)}`;
}
