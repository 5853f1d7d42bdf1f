/**
 * The authorization server's secrets: codes and tokens are 20 random bytes (base32) behind a
 * prefix that says what they are; only their SHA-256 is stored. PKCE is S256 only.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { createHmac, timingSafeEqual } from "node:crypto";
import { hashApiToken } from "~/kernel/auth/tokens";
import { deriveKey } from "~/kernel/secret";

export const ACCESS_TOKEN_PREFIX = "mcpa_";
export const REFRESH_TOKEN_PREFIX = "mcpr_";
export const CODE_PREFIX = "mcpc_";
export const CLIENT_ID_PREFIX = "mcp_client_";
export const REQUEST_PREFIX = "mcpq_";
export const DEVICE_CODE_PREFIX = "mcpd_";

export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 30 * 86_400;
export const CODE_SECONDS = 60;
export const REQUEST_SECONDS = 600;
export const DEVICE_CODE_SECONDS = 600;
/** RFC 8628 §3.5: the least a device waits between polls; each slow_down adds 5 s. */
export const DEVICE_POLL_SECONDS = 5;

/**
 * User codes (RFC 8628 §6.1): 8 letters from 20 consonants (no vowels, so no words; no 0/O or
 * 1/I to confuse), about 34 bits, typed as XXXX-XXXX. Guessing is rate limited per person and
 * address; codes live 10 minutes.
 */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

export function newUserCode(): string {
  const out: string[] = [];
  // Rejection sampling: 240 is the largest multiple of 20 below 256, so every letter is equally likely.
  while (out.length < USER_CODE_LENGTH) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    for (const b of bytes) if (b < 240 && out.length < USER_CODE_LENGTH) out.push(USER_CODE_ALPHABET[b % 20]!);
  }
  return `${out.slice(0, 4).join("")}-${out.slice(4).join("")}`;
}

/** What a person typed, as the code it names: case, spaces and dashes ignored; null if it cannot be one. */
export function normalizeUserCode(typed: string): string | null {
  const letters = typed.toUpperCase().replace(/[\s-]/g, "");
  if (letters.length !== USER_CODE_LENGTH) return null;
  for (const c of letters) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return letters;
}

/** The stored form of a user code: an HMAC keyed by the server's secret (short codes need a key). */
export function hashUserCode(secret: string, normalized: string): string {
  return createHmac("sha256", deriveKey(secret, "mcp-oauth:user-code")).update(normalized).digest("hex");
}

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
