/**
 * A plain `tools/call` answered without the SDK's protocol machinery (`answerToolCall`) gives
 * the same bytes as the SDK's own server: a result, a tool's error result, an unknown tool; what
 * it does not take (a malformed call, a task) it leaves to the SDK.
 */
import { CallToolResultSchema, type JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { appRouter } from "~/plugins";
import { bootDataKernel, member } from "../data/test-helpers";
import { directServer } from "./direct-transport";
import { answerToolCall, authInfoOf, createMcpServer, errorResult, successResult, successResultJson, type McpCall } from "./server";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let kernel: Kernel;
let call: () => McpCall;
let projectId: string;
const shared = directServer(createMcpServer);

beforeAll(async () => {
  k = await bootDataKernel();
  kernel = k.kernel;
  const owner = await member(kernel, "owner");
  projectId = (await owner.caller.projects.create({ orgId: owner.org.id, slug: "alpha", name: "Alpha" })).id;
  await owner.caller.dashboards.create({ orgId: owner.org.id, projectId, slug: "weekly", yaml: "title: Weekly\nqueries:\n  one:\n    sql: select 1 as n\ncharts:\n  - id: n\n    type: kpi\n    query: one\n    value: n\nlayout:\n  rows:\n    - [{ chart: n, width: 12 }]\n" });
  call = () => ({
    request: {
      kernel,
      router: appRouter,
      actor: { kind: "token", userId: owner.user.id, tokenId: "00000000-0000-4000-8000-000000000001", orgId: owner.org.id, scopes: ["read", "write"], projectIds: null, agent: { client: "tests" } },
      requestId: "req-tool-call",
      ip: "127.0.0.1",
      userAgent: null,
    },
  });
});
afterAll(async () => k?.close());

const message = (params: unknown, id: number | string = 7): JSONRPCRequest => ({ jsonrpc: "2.0", id, method: "tools/call", params }) as JSONRPCRequest;

describe("tools/call without the protocol machinery", () => {
  test("a result, a tool's refusal and an unknown tool: the same bytes as the SDK's server", async () => {
    const cases = [
      message({ name: "get_dashboard", arguments: { projectId, slug: "weekly" } }),
      message({ name: "get_dashboard", arguments: { projectId, slug: "missing" } }, "abc"),
      message({ name: "get_dashboard", arguments: { projectId: "not a project", slug: "weekly" } }),
      message({ name: "no_such_tool", arguments: {} }),
      message({ name: "list_dashboards", arguments: { projectId } }),
    ];
    const server = await shared();
    for (const m of cases) {
      const direct = await answerToolCall(m, call());
      const viaSdk = await server.dispatch(m, authInfoOf(call()));
      expect(direct, JSON.stringify(m)).not.toBeNull();
      expect(direct).toBe(JSON.stringify(viaSdk));
    }
  });

  test("what it does not take goes to the SDK: other methods, a malformed call, a task", async () => {
    expect(await answerToolCall({ jsonrpc: "2.0", id: 1, method: "tools/list" } as JSONRPCRequest, call())).toBeNull();
    expect(await answerToolCall(message({ arguments: {} }), call())).toBeNull();
    expect(await answerToolCall(message({ name: 7 }), call())).toBeNull();
    expect(await answerToolCall(message({ name: "get_dashboard", arguments: {}, task: { ttl: 1000 } }), call())).toBeNull();
  });

  test("results are valid by construction: the SDK's result schema gives them back unchanged", () => {
    const results = [
      successResult({ id: "x", yaml: "title: x", version: 3 }),
      successResult([1, 2, 3]),
      successResult("text"),
      successResult({ svg: "<svg/>" }),
      errorResult({ code: "NOT_FOUND", httpStatus: 404, message: "No such dashboard.", fieldErrors: null }),
      errorResult({ code: "UNPROCESSABLE_CONTENT", httpStatus: 422, message: "Invalid", fieldErrors: { slug: ["Too long"] } }),
    ];
    for (const r of results) expect(JSON.stringify(CallToolResultSchema.parse(r))).toBe(JSON.stringify(r));
  });

  test("an object answer written without building it is the same bytes as the built result", () => {
    const at = new Date("2026-12-04T10:00:00Z");
    const objects = [
      { id: "x", yaml: "title: x\n  \"quoted\" \u2028 é", version: 3, at, nested: { list: [1, "two", null], none: undefined } },
      { count: 12345678901234567890n, name: "big" },
      {},
    ];
    for (const data of objects) expect(successResultJson(data)).toBe(JSON.stringify(successResult(data)));
    // What takes the general path: not an object, a chart's image, an object serialized as something else.
    for (const data of [[1, 2], "text", 3, null, { svg: "<svg/>" }, at]) expect(successResultJson(data)).toBeNull();
  });
});
