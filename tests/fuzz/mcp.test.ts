/**
 * The fuzz gate over MCP: every tool the server lists (so a new procedure with MCP metadata is
 * fuzzed without anyone adding a line), called with the SDK's own `Client` as the org owner's
 * token, with arguments generated from the input schema the agent is shown: plausible ones and
 * hostile ones. No call may fail as an internal error, hang, or answer with a stack trace, SQL
 * text or a JavaScript engine message.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { mcpHarness } from "../../plugins/agent/test-helpers";
import { hostile, plausible, type JsonSchema } from "./arbitraries";
import { answerProblem, bootFuzzWorld, fuzzSettings, preview, type FuzzWorld } from "./world";

const { seed, runs } = fuzzSettings({ runs: 10 });
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? (process.env.FUZZ_RUNS ? 30_000 : 1_500));
const MIN_CASES = 2;
const CALL_TIMEOUT_MS = 20_000;

let world: FuzzWorld;
let client: Client;

beforeAll(async () => {
  world = await bootFuzzWorld();
  client = await mcpHarness(world.kernel).connect(world.token.token);
}, 120_000);
afterAll(async () => {
  await client?.close();
  await world?.close();
});

test(`every MCP tool answers without an internal error, a hang or internals (seed ${seed})`, { timeout: 600_000 }, async () => {
  const { tools } = await client.listTools();
  expect(tools.length).toBeGreaterThan(10);
  // Agents may name the org and the project by slug as well as by id.
  const seeds = { ...world.seeds, orgId: [world.org.id, world.org.slug], projectId: [world.project.id, world.project.slug] };
  const failures = new Map<string, { example: string; count: number }>();
  const fail = (tool: string, problem: string, example: string) => {
    const key = `${tool}: ${problem}`;
    const known = failures.get(key);
    if (known) known.count++;
    else failures.set(key, { example, count: 1 });
  };
  let calls = 0;
  let internal = 0;
  let succeeded = 0;

  for (const [index, tool] of tools.entries()) {
    await world.heal();
    const schema = tool.inputSchema as JsonSchema;
    const half = Math.ceil(runs / 2);
    const cases = [
      ...fc.sample(plausible(schema, seeds), { seed: seed + index, numRuns: half }),
      ...fc.sample(hostile(schema, seeds), { seed: seed + 7919 * (index + 1), numRuns: runs - half }),
    ];
    const started = performance.now();
    for (const [n, args] of cases.entries()) {
      if (n >= MIN_CASES && performance.now() - started > BUDGET_MS) break;
      calls++;
      try {
        // The protocol carries an object of arguments; anything else the client refuses to send.
        const objectArgs = args !== null && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, unknown>) : { value: args };
        const result = await client.callTool({ name: tool.name, arguments: objectArgs }, undefined, { timeout: CALL_TIMEOUT_MS });
        if (!result.isError) {
          succeeded++;
          continue;
        }
        const text = (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? "").join("\n");
        const code = (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code;
        const problem = code === "INTERNAL_SERVER_ERROR" ? "internal error" : answerProblem({ status: 200, body: text });
        if (problem) {
          if (code === "INTERNAL_SERVER_ERROR") internal++;
          fail(tool.name, problem, `arguments ${preview(args)} → ${text.slice(0, 300)}`);
        }
      } catch (err) {
        if (err instanceof McpError && err.code !== ErrorCode.InternalError && err.code !== ErrorCode.RequestTimeout) {
          const problem = answerProblem({ status: 200, body: err.message });
          if (problem) fail(tool.name, problem, `arguments ${preview(args)} → ${err.message.slice(0, 300)}`);
          continue;
        }
        if (err instanceof McpError && err.code === ErrorCode.InternalError) internal++;
        fail(tool.name, err instanceof McpError ? `protocol error ${err.code}` : `no answer (${(err as Error).name})`, `arguments ${preview(args)}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }

  const report = [...failures].map(([key, { example, count }]) => `${key} (${count}×), e.g. ${example}`);
  console.log(`fuzz over MCP (seed ${seed}, ${runs} cases per tool): ${tools.length} tools, ${calls} calls (${succeeded} succeeded), ${internal} internal errors, ${report.length} kinds of problem`);
  expect(report, report.join("\n")).toEqual([]);
});
