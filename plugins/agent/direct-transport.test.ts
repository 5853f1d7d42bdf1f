/**
 * The direct path's request check: the field-by-field check of the common request agrees with
 * the SDK's own schema on every message, valid and hostile; what it does not vouch for, the
 * schema decides.
 */
import { isJSONRPCRequest, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, test } from "vitest";
import { directRequest, plainRequest } from "./direct-transport";

const headers = (extra: Record<string, string> = {}) => {
  const all: Record<string, string> = { accept: "application/json, text/event-stream", "content-type": "application/json", ...extra };
  return { get: (name: string) => all[name.toLowerCase()] ?? null };
};

const messages: unknown[] = [
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_dashboard", arguments: { slug: "a" } } },
  { jsonrpc: "2.0", id: "abc", method: "tools/list" },
  { jsonrpc: "2.0", id: 0, method: "ping", params: {} },
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: { _meta: { progressToken: 3 }, name: "x" } },
  { jsonrpc: "2.0", id: 1.5, method: "tools/call" },
  { jsonrpc: "2.0", id: null, method: "tools/call" },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "1.0", id: 1, method: "tools/call" },
  { jsonrpc: "2.0", id: 1, method: 7 },
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: [1, 2] },
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: "x" },
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: null },
  { jsonrpc: "2.0", id: 1, method: "tools/call", extra: true },
  JSON.parse('{"jsonrpc":"2.0","id":1,"method":"tools/call","__proto__":{"x":1}}'),
  { jsonrpc: "2.0", id: 1, result: {} },
  { jsonrpc: "2.0", id: 1, error: { code: -1, message: "no" } },
  { jsonrpc: "2.0", id: { n: 1 }, method: "tools/call" },
  null,
  "tools/call",
  42,
];

const bySchema = (m: unknown) => {
  const parsed = JSONRPCMessageSchema.safeParse(m);
  return parsed.success && isJSONRPCRequest(parsed.data);
};

describe("direct path request check", () => {
  test("a message the check vouches for is a request by the SDK's schema too", () => {
    for (const m of messages) if (plainRequest(m) !== null) expect(bySchema(m), JSON.stringify(m)).toBe(true);
    expect(messages.filter((m) => plainRequest(m) !== null)).toHaveLength(3);
  });

  test("directRequest decides as the schema does on every message", () => {
    for (const m of messages) expect(directRequest(headers(), m) !== null, JSON.stringify(m)).toBe(bySchema(m));
  });

  test("other content types, accepts and protocol versions go to the SDK's transport", () => {
    const call = messages[0];
    expect(directRequest(headers({ accept: "application/json" }), call)).toBeNull();
    expect(directRequest(headers({ "content-type": "text/plain" }), call)).toBeNull();
    expect(directRequest(headers({ "mcp-protocol-version": "1999-01-01" }), call)).toBeNull();
    expect(directRequest(headers(), [call])).toBeNull();
  });
});
