import { expect, test } from "vitest";
import { definePlugin } from "../plugin";
import { signInErrorMessage } from "./provider-errors";
import { signInProviders, type SignInProvider } from "./providers";

const provider = (id: string, name = id): SignInProvider => ({
  id,
  name,
  kind: "test",
  begin: async () => new URL("https://provider.example.test/authorize"),
  complete: async () => ({ location: "/", userId: null, reason: null }),
});
const pluginWith = (id: string, ...providers: SignInProvider[]) => definePlugin({ id, signIn: { providers: () => providers } });

test("providers of every plugin, in plugin order; plugins without any add none", () => {
  const list = signInProviders([pluginWith("a", provider("okta", "Okta")), definePlugin({ id: "none" }), pluginWith("b", provider("github", "GitHub"))]);
  expect(list.map((p) => [p.id, p.name])).toEqual([["okta", "Okta"], ["github", "GitHub"]]);
});

test("two providers with one id (one URL) are refused, naming both plugins", () => {
  expect(() => signInProviders([pluginWith("auth-oidc", provider("github")), pluginWith("auth-github", provider("github"))])).toThrow(
    /"github" is configured by both "auth-oidc" and "auth-github"/,
  );
});

test("an id unfit for a URL segment is refused", () => {
  expect(() => signInProviders([pluginWith("x", provider("../evil"))])).toThrow(/lower-case letters/);
  expect(() => signInProviders([pluginWith("x", provider("Okta"))])).toThrow(/lower-case letters/);
});

test("every failure code has a sentence; unknown codes have none", () => {
  for (const code of ["access_denied", "state_invalid", "email_unverified", "provider_unreachable", "identity_in_use", "rate_limited"]) expect(signInErrorMessage(code)).toBeTruthy();
  expect(signInErrorMessage("<script>")).toBeNull();
  expect(signInErrorMessage("toString")).toBeNull();
  expect(signInErrorMessage(null)).toBeNull();
});
