/**
 * Secrets at rest: AES-256-GCM with a key derived from ATRIUM_SECRET for one purpose.
 *
 * `secretBox(kernel.secret, "data.source")` gives `encrypt`/`decrypt` for that purpose only: a
 * ciphertext made for one purpose does not open under another. Pass `context` (an org id, a row
 * id) to bind a ciphertext to where it is stored, so a copied ciphertext does not open elsewhere.
 * Output is text: `v1.<iv>.<tag>.<ciphertext>`, base64url, 12-byte random IV, 16-byte tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./secret";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts and decrypts secrets of one purpose. */
export interface SecretBox {
  /** Encrypts `plaintext`; `context` (if any) must be given again to decrypt. */
  encrypt(plaintext: string, context?: string): string;
  /** Decrypts a value from `encrypt`; throws `SecretDecryptionError` if it was altered, or made for another purpose, context or key. */
  decrypt(ciphertext: string, context?: string): string;
}

/** Thrown when a ciphertext does not open: altered, truncated, or made with another key, purpose or context. */
export class SecretDecryptionError extends Error {
  override name = "SecretDecryptionError";
}

function aadFor(purpose: string, context: string | undefined): Buffer {
  return Buffer.from(`${purpose}\u0000${context ?? ""}`, "utf8");
}

/** A SecretBox for `purpose`, keyed by `deriveKey(rootSecret, "encrypt:<purpose>")`. */
export function secretBox(rootSecret: string, purpose: string): SecretBox {
  if (!purpose) throw new Error("secretBox needs a purpose");
  const key = deriveKey(rootSecret, `encrypt:${purpose}`);
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadFor(purpose, context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
    },
    decrypt(ciphertext, context) {
      const parts = ciphertext.split(".");
      if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError("Not an encrypted secret (expected v1.<iv>.<tag>.<data>)");
      const iv = Buffer.from(parts[1]!, "base64url");
      const tag = Buffer.from(parts[2]!, "base64url");
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError("Malformed encrypted secret");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aadFor(purpose, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(parts[3]!, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretDecryptionError("The secret could not be decrypted (altered, or encrypted with another key, purpose or context)");
      }
    },
  };
}
