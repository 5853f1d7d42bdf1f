/**
 * Security headers on the server: set by the middleware on every response before any route
 * runs (src/kernel/http/security.ts says which and why). A plugin HTTP route that wants other
 * values (an embeddable page) returns its own header, which wins; a page that may be framed
 * calls `allowFraming` while it renders (before the shell is sent).
 */
import type { FetchEvent } from "@solidjs/start/server";
import { contentSecurityPolicy, createNonce, securityHeaders } from "~/kernel/http/security";

interface SecurityLocals {
  nonce?: string | null;
  publicUrl?: string;
}

/** Sets the security headers and the response's script nonce (`event.locals.nonce`). */
export function applySecurityHeaders(event: FetchEvent, options: { publicUrl: string; production: boolean }): void {
  const nonce = options.production ? createNonce() : null;
  const locals = event.locals as SecurityLocals;
  locals.nonce = nonce;
  locals.publicUrl = options.publicUrl;
  const res = event.nativeEvent.node.res;
  for (const [name, value] of Object.entries(securityHeaders({ publicUrl: options.publicUrl, nonce }))) res.setHeader(name, value);
}

/** Lets this response be framed by `ancestors` (e.g. `'self' https://intranet.example`). */
export function allowFraming(event: FetchEvent, ancestors: string): void {
  const locals = event.locals as SecurityLocals;
  const res = event.nativeEvent.node.res;
  if (res.headersSent || !locals.publicUrl) return;
  res.setHeader("content-security-policy", contentSecurityPolicy({ publicUrl: locals.publicUrl, nonce: locals.nonce ?? null, frameAncestors: ancestors }));
}

/** The nonce the page's own inline scripts carry (null in development). */
export function nonceOf(event: FetchEvent | undefined): string | undefined {
  return ((event?.locals as SecurityLocals | undefined)?.nonce ?? undefined) || undefined;
}
