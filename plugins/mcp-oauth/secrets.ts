/**
 * The authorization server's secrets: codes and tokens are 20 random bytes (base32) behind a
 * prefix that says what they are; only their SHA-256 is stored. PKCE is S256 only.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { timingSafeEqual } from "node:crypto";
import { hashApiToken } from "~/kernel/auth/tokens";

export const ACCESS_TOKEN_PREFIX = "mcpa_";
export const REFRESH_TOKEN_PREFIX = "mcpr_";
export const CODE_PREFIX = "mcpc_";
export const CLIENT_ID_PREFIX = "mcp_client_";
export const REQUEST_PREFIX = "mcpq_";

export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 30 * 86_400;
export const CODE_SECONDS = 60;
export const REQUEST_SECONDS = 600;

/** A fresh secret: the prefix and 20 random bytes in base32. */
export function newSecret(prefix: string): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return prefix + encodeBase32LowerCaseNoPadding(bytes);
}

/** What the database keeps of a secret: its SHA-256, hex. */
export function hashSecret(secret: string): string {
  return hashApiToken(secret);
}

/** Constant-time comparison of two strings of text. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function isCodeChallenge(value: string): boolean {
  return CHALLENGE.test(value);
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)) equals the challenge the client sent first. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  return sameText(encodeBase64urlNoPadding(sha256(new TextEncoder().encode(verifier))), challenge);
}

/** A SHA-256 over the parts, hex: the key of one registration (name and redirect URIs). */
export function registrationKey(name: string, redirectUris: readonly string[]): string {
  return hashApiToken(JSON.stringify([name, [...redirectUris].sort()]));
}
