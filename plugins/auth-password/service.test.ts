import { expect, test } from "vitest";
import { emailSchema, hashLinkToken, hashPassword, needsRehash, passwordInput, passwordProblem, retryIn, verifyPassword } from "./service";

test("emails are trimmed, lower-cased and validated", () => {
  expect(emailSchema.parse("  Ada.Lovelace@Example.TEST ")).toBe("ada.lovelace@example.test");
  for (const bad of ["", "   ", "ada", "ada@", "@example.test", `${"a".repeat(250)}@example.test`]) {
    expect(emailSchema.safeParse(bad).success, bad).toBe(false);
  }
});

test("password rules: length, one repeated character, the email, common passwords", () => {
  const email = "ada@example.test";
  expect(passwordProblem("correct horse battery", email)).toBeNull();
  expect(passwordProblem("short9char", email)).toBeNull(); // exactly 10
  expect(passwordProblem("nine char", email)).toMatch(/at least 10/);
  expect(passwordProblem("x".repeat(199) + "y", email)).toBeNull();
  expect(passwordProblem("x".repeat(200) + "y", email)).toMatch(/at most 200/);
  expect(passwordProblem("aaaaaaaaaaaaaa", email)).toMatch(/more than one distinct/);
  expect(passwordProblem("🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂", email)).toMatch(/more than one distinct/);
  expect(passwordProblem("Ada@Example.test", email)).toMatch(/cannot be your email/);
  for (const common of ["password123", "Password1234", "QWERTYUIOP", "1q2w3e4r5t", "1234567890"]) {
    expect(passwordProblem(common, email), common).toMatch(/most common/);
  }
  // Length counts characters, not UTF-16 units.
  expect(passwordProblem("🙂🙂🙂🙂🙂x", email)).toMatch(/at least 10/);
});

test("one length limit, said the same everywhere: 200 characters, whatever their width", () => {
  // Every password of up to 200 characters reaches the rules, 200 emoji (400 UTF-16 units) too.
  const emoji = "🙂😀".repeat(100);
  expect(passwordInput.safeParse(emoji).success).toBe(true);
  expect(passwordProblem(emoji, "ada@example.test")).toBeNull();
  // Longer input is refused by the input schema with the rules' own message (it once said 200 and took 1,000).
  for (const long of ["x".repeat(200) + "y", "xy".repeat(201), "xy".repeat(500)]) {
    const message = passwordInput.safeParse(long).error?.issues[0]?.message ?? passwordProblem(long, null);
    expect(message, `${long.length} units`).toBe("Use at most 200 characters.");
  }
  expect(passwordInput.safeParse("xy".repeat(500)).success).toBe(false);
});

test("argon2id hashes verify, never contain the password, and equal Unicode forms match", async () => {
  const encoded = await hashPassword("correct horse battery");
  expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  expect(encoded).not.toContain("correct horse");
  expect(await verifyPassword(encoded, "correct horse battery")).toBe(true);
  expect(await verifyPassword(encoded, "correct horse batterY")).toBe(false);
  expect(await verifyPassword("not a hash", "x")).toBe(false);
  expect(needsRehash(encoded)).toBe(false);
  expect(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaA")).toBe(true);

  const composed = await hashPassword("caf\u00e9 au lait!");
  expect(await verifyPassword(composed, "cafe\u0301 au lait!")).toBe(true);
});

test("link tokens are stored as hex SHA-256", () => {
  expect(hashLinkToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("retry messages say when", () => {
  expect(retryIn(1)).toBe("in 1 second");
  expect(retryIn(42)).toBe("in 42 seconds");
  expect(retryIn(61)).toBe("in 2 minutes");
  expect(retryIn(900)).toBe("in 15 minutes");
  expect(retryIn(3600)).toBe("in 1 hour");
});
