import { describe, expect, test } from "vitest";
import { sessionIdOf } from "~/kernel/auth/session";
import { hashApiToken } from "~/kernel/auth/tokens";
import { SecretDecryptionError, secretBox } from "~/kernel/crypto";

describe("secretBox (AES-256-GCM)", () => {
  const box = secretBox("root-secret-for-tests-0123456789abcdef", "test.purpose");

  test("round trip, fresh IV each time, ciphertext never contains the plaintext", () => {
    const a = box.encrypt("correct horse battery staple", "org-1");
    const b = box.encrypt("correct horse battery staple", "org-1");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain("correct horse");
    expect(box.decrypt(a, "org-1")).toBe("correct horse battery staple");
    expect(box.decrypt(box.encrypt(""), undefined)).toBe("");
    expect(box.decrypt(box.encrypt("ünïcødé ✓"))).toBe("ünïcødé ✓");
  });

  test("refuses another context, purpose or key, and any tampering", () => {
    const sealed = box.encrypt("s3cret", "org-1");
    expect(() => box.decrypt(sealed, "org-2")).toThrow(SecretDecryptionError);
    expect(() => secretBox("root-secret-for-tests-0123456789abcdef", "other.purpose").decrypt(sealed, "org-1")).toThrow(SecretDecryptionError);
    expect(() => secretBox("another-root-secret-0123456789abcdef!", "test.purpose").decrypt(sealed, "org-1")).toThrow(SecretDecryptionError);
    const [v, iv, tag, data] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(data, "base64url");
    flipped[0]! ^= 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString("base64url")].join("."), "org-1")).toThrow(SecretDecryptionError);
    expect(() => box.decrypt("not a secret", "org-1")).toThrow(SecretDecryptionError);
  });
});

describe("token digests", () => {
  test("sessions and access tokens are stored as the hex SHA-256 of the token's UTF-8 (the FIPS 180-2 vector), so stored ids stay valid", async () => {
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(sessionIdOf("abc")).toBe(abc);
    expect(hashApiToken("abc")).toBe(abc);
    const web = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("atr_é"))).toString("hex");
    expect(hashApiToken("atr_é")).toBe(web);
    expect(sessionIdOf("atr_é")).toBe(web);
  });
});
