/**
 * The client's label in the audit log (`clientNameOf`): printable ASCII, at most 100 characters,
 * from `x-mcp-client`, else the User-Agent, else "MCP client".
 */
import { describe, expect, test } from "vitest";
import { clientNameOf } from "./http";

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

describe("clientNameOf", () => {
  test("a clean x-mcp-client is taken as it is, before the User-Agent", () => {
    expect(clientNameOf(headers({ "x-mcp-client": "Claude Desktop 1.2", "user-agent": "node" }))).toBe("Claude Desktop 1.2");
  });

  test("control characters and non-ASCII are dropped, the rest trimmed and cut at 100", () => {
    expect(clientNameOf(headers({ "x-mcp-client": " caf\u00e9\u0000 bot\n " }))).toBe("caf bot");
    expect(clientNameOf(headers({ "x-mcp-client": `${"a".repeat(99)} b` }))).toBe(`${"a".repeat(99)} `);
    expect(clientNameOf(headers({ "x-mcp-client": "x".repeat(150) }))).toBe("x".repeat(100));
  });

  test("an empty or unprintable label falls back to the User-Agent, then to a name of ours", () => {
    expect(clientNameOf(headers({ "x-mcp-client": "\u00e9\u00e9", "user-agent": "curl/8" }))).toBe("curl/8");
    expect(clientNameOf(headers({ "x-mcp-client": "   " }))).toBe("MCP client");
    expect(clientNameOf(headers({}))).toBe("MCP client");
  });
});
