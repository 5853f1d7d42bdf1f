/**
 * What the server loads before it answers its first request: every module reached from its
 * entries by static imports. Heavy libraries that only some requests need load on first use
 * (ADR 046), so a restart is not slowed down by them; this test keeps a static import from
 * bringing one back into the start.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { resolveSpecifier, root, runtimeImportsOf } from "../setup/module-graph";

/** The server's entries: the Nitro plugins (kernel boot, API path), the page renderer and its middleware. */
const ENTRIES = ["src/server/boot-plugin.ts", "src/server/api-nitro.ts", "src/entry-server.tsx", "src/middleware.ts"];

/** Loaded with their first use, never at start (ADR 046). */
const ON_FIRST_USE = ["vega", "vega-lite", "ai", "@ai-sdk/openai-compatible", "trpc-to-openapi", "nodemailer", "micromark", "micromark-extension-gfm", "sanitize-html"];

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Every package reached from the entries, with the chain of files that reaches it first. */
function packagesAtStart(): { files: Set<string>; packages: Map<string, string[]> } {
  const files = new Set<string>();
  const packages = new Map<string, string[]>();
  const queue: Array<{ file: string; chain: string[] }> = ENTRIES.map((entry) => ({ file: path.join(root, entry), chain: [entry] }));
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImportsOf(file, readFileSync(file, "utf8"))) {
      const target = resolveSpecifier(file, specifier);
      if (target) {
        queue.push({ file: target, chain: [...chain, path.relative(root, target)] });
      } else if (!specifier.startsWith(".") && !specifier.startsWith("~/") && !specifier.startsWith("node:")) {
        const name = packageOf(specifier);
        if (!packages.has(name)) packages.set(name, [...chain, name]);
      }
    }
  }
  return { files, packages };
}

test("the server starts without the libraries it loads on first use", () => {
  const { files, packages } = packagesAtStart();
  // The walk sees the server: the kernel, the plugins' routers, the database client.
  expect(files.has(path.join(root, "plugins/dashboards/router.ts"))).toBe(true);
  expect(files.has(path.join(root, "src/kernel/kernel.ts"))).toBe(true);
  expect([...packages.keys()]).toEqual(expect.arrayContaining(["kysely", "pg", "@trpc/server", "zod"]));
  const loadedAtStart = ON_FIRST_USE.filter((name) => packages.has(name)).map((name) => packages.get(name)!.join(" → "));
  expect(loadedAtStart).toEqual([]);
});

test("the walk finds a library behind a static import, and not behind a dynamic or type-only one", () => {
  expect(runtimeImportsOf("x.ts", `import * as vega from "vega"; export const v = vega;`)).toEqual(["vega"]);
  expect(runtimeImportsOf("x.ts", `import type { TopLevelSpec } from "vega-lite"; export const load = () => import("vega");`)).toEqual([]);
});
