/**
 * The import-boundary lint rule (eslint/boundaries.js) fires where it should: the kernel
 * importing a plugin, a plugin importing another's internals or the composition list. And it
 * stays quiet for the composition lists, deliberate entries and tests. (`npm run lint` applies it
 * to the whole repository.)
 */
import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "atrium/boundaries").map((m) => m.message);
}

describe("atrium/boundaries", () => {
  test("src/ may not import a plugin, at any depth or through the alias", async () => {
    expect(await boundaryErrors("src/kernel/http/x.ts", `import { agentPlugin } from "../../../plugins/agent";\nexport const a = agentPlugin;\n`)).toEqual([
      expect.stringContaining("src/ must not import a plugin (plugins/agent/index.ts)"),
    ]);
    expect(await boundaryErrors("src/routes/mcp.ts", `export { handleMcpHttp } from "../../plugins/agent/http";\n`)).toHaveLength(1);
    expect(await boundaryErrors("src/ui/x.tsx", `export const load = () => import("../../plugins/data/ui/DataPage");\n`)).toHaveLength(1);
    // The composition lists are the exception, and importing them is fine.
    expect(await boundaryErrors("src/plugins.ts", `import { agentPlugin } from "../plugins/agent";\nexport const p = [agentPlugin];\n`)).toEqual([]);
    expect(await boundaryErrors("src/ui/y.ts", `import type { AppRouter } from "~/plugins";\nexport type R = AppRouter;\n`)).toEqual([]);
  });

  test("a plugin may import another plugin only through its entries", async () => {
    expect(await boundaryErrors("plugins/dashboards/x.ts", `import { runQuery } from "../data/engine";\nexport const r = runQuery;\n`)).toEqual([]);
    expect(await boundaryErrors("plugins/dashboards/x.ts", `import type { Connector } from "../data/connectors";\nexport type C = Connector;\n`)).toEqual([]);
    expect(await boundaryErrors("plugins/dashboards/x.ts", `import { loadSample } from "../data/sample";\nexport const l = loadSample;\n`)).toEqual([
      expect.stringContaining('Plugin "dashboards" imports plugins/data/sample.ts, an internal file of plugin "data"'),
    ]);
    expect(await boundaryErrors("plugins/assistant/ui/x.tsx", `import { x } from "../../dashboards/ui/ProjectFrame";\nexport const y = x;\n`)).toHaveLength(1);
    expect(await boundaryErrors("plugins/agent/x.ts", `import { plugins } from "~/plugins";\nexport const p = plugins;\n`)).toEqual([
      expect.stringContaining("must not import the composition list"),
    ]);
    // Its own files, and the kernel, are fine.
    expect(await boundaryErrors("plugins/dashboards/ui/x.ts", `import type { Chart } from "../document/schema";\nimport { definePlugin } from "~/kernel/plugin";\nexport type C = Chart;\nexport const d = definePlugin;\n`)).toEqual([]);
  });

  test("tests compose plugins freely", async () => {
    expect(await boundaryErrors("plugins/agent/x.test.ts", `import { bootDataKernel } from "../data/test-helpers";\nexport const b = bootDataKernel;\n`)).toEqual([]);
    expect(await boundaryErrors("tests/kernel/x.test.ts", `import { agentPlugin } from "../../plugins/agent";\nexport const a = agentPlugin;\n`)).toEqual([]);
  });
});
