/**
 * Security headers for every response, pages above all: a Content-Security-Policy whose
 * scripts are the app's own (same origin, or inline with this response's nonce), no framing
 * (`frame-ancestors 'none'`, overridable per route for embeds), `nosniff`, a referrer policy,
 * a permissions policy denying device APIs, and HSTS when PUBLIC_URL is https.
 *
 * Styles allow 'unsafe-inline': the editor (CodeMirror) and components set inline styles, and
 * a style cannot run code. Scripts never get 'unsafe-inline' or 'unsafe-eval' (charts use
 * Vega's expression interpreter). See docs/decisions/018-plugin-http-routes-and-boundaries.md.
 */
import { randomBytes } from "node:crypto";

/** A fresh nonce for one response's inline scripts. */
export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

export interface SecurityHeaderOptions {
  publicUrl: string;
  /** The nonce this response's inline scripts carry; omitted in development (Vite injects its own). */
  nonce: string | null;
  /** Who may frame the page: `'none'` (default), `'self'`, or origins. */
  frameAncestors?: string;
  /**
   * API responses (tRPC, MCP, plugin routes) run no inline script: scripts from our own origin
   * only, whatever the nonce says.
   */
  api?: boolean;
}

/** The Content-Security-Policy for a response. */
export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const scripts = options.api ? `'self'` : options.nonce ? `'self' 'nonce-${options.nonce}'` : `'self' 'unsafe-inline' 'unsafe-eval'`;
  return [
    `default-src 'self'`,
    `script-src ${scripts}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self'`,
    `worker-src 'self' blob:`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors ${options.frameAncestors ?? "'none'"}`,
  ].join("; ");
}

/** Every security header for a response. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": contentSecurityPolicy(options),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  };
  if (options.publicUrl.startsWith("https://")) headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  return headers;
}
