/**
 * The Embed tab's snippets sign what they say: the Node one run by node (with jose, as the
 * embedding site would), the shell one by bash with openssl; both tokens verify with the key,
 * carry the key id and the claims chosen, and expire when asked. The key is read from the
 * environment, never written into a snippet.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jwtVerify } from "jose";
import { describe, expect, test } from "vitest";
import { snippet, type SnippetClaims } from "./embed-snippets";

const KEY = "k3y-material-that-stays-in-the-environment_0123456789";
const CLAIMS: SnippetClaims = {
  baseUrl: "https://atrium.example.com",
  keyId: "4a7c1a0e-8f7e-4c3b-9a55-0a7e1b2c3d4e",
  dashboardId: "0f0e0d0c-0b0a-4909-8807-060504030201",
  params: { region: "north's", limit: 10 },
  allowed: ["status"],
  exports: ["csv"],
  expiresInMinutes: 15,
};

async function verified(token: string) {
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(KEY), { algorithms: ["HS256"] });
  expect(protectedHeader.kid).toBe(CLAIMS.keyId);
  expect(payload).toMatchObject({ dashboard: CLAIMS.dashboardId, params: CLAIMS.params, allowed: ["status"], exports: ["csv"] });
  expect(payload.exp! - payload.iat!).toBe(15 * 60);
}

describe("embed snippets", () => {
  test("no snippet contains the key", () => {
    for (const language of ["node", "python", "curl"] as const) {
      const text = snippet(language, CLAIMS);
      expect(text).not.toContain(KEY);
      expect(text).toContain("ATRIUM_EMBED_KEY");
      expect(text).toContain(CLAIMS.keyId);
    }
    // Python literals, not JSON's.
    expect(snippet("python", { ...CLAIMS, params: { on: true, none: null } })).toMatch(/"on": True,\s+"none": None/);
  });

  test("the Node snippet signs a token the key verifies", async () => {
    // Inside the repository, so `jose` resolves as it would in the site's project.
    const dir = mkdtempSync(join(process.cwd(), "node_modules", ".embed-snippet-"));
    try {
      const file = join(dir, "sign.mjs");
      writeFileSync(file, `${snippet("node", CLAIMS)}\nconsole.log(src);\n`);
      const src = execFileSync(process.execPath, [file], { env: { ...process.env, ATRIUM_EMBED_KEY: KEY }, encoding: "utf8" }).trim();
      expect(src.startsWith(`${CLAIMS.baseUrl}/e/`)).toBe(true);
      await verified(src.slice(src.lastIndexOf("/") + 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the shell snippet signs with openssl a token the key verifies", async () => {
    // Everything but the final curl (there is no server here).
    const script = snippet("curl", CLAIMS).split("\n").filter((line) => !line.startsWith("curl ")).join("\n");
    const out = execFileSync("bash", ["-c", script], { env: { ...process.env, ATRIUM_EMBED_KEY: KEY }, encoding: "utf8" }).trim();
    const src = out.replace(/^iframe src: /, "");
    await verified(src.slice(src.lastIndexOf("/") + 1));
  });
});
