/**
 * Test set-up for the agent plugin: tokens written straight to the database, and the SDK's own
 * MCP `Client` over Streamable HTTP whose fetch goes to `handleMcpHttp` in this process (real
 * Request/Response objects, real transport, no socket).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { AnyRouter } from "@trpc/server";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import type { Kernel } from "~/kernel/kernel";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { handleMcpHttp } from "./http";
import type { AgentSettings } from "./settings";

export const TEST_SETTINGS: AgentSettings = { rateLimitPerMinute: 10_000, orgRateLimitPerMinute: 100_000, maxBodyBytes: 1_000_000, allowedOrigins: [] };

export async function createToken(kernel: Kernel, userId: string, orgId: string, scopes: Array<"read" | "write">, name = "agent test") {
  const token = generateApiToken();
  const row = await kernel.ownerDb
    .insertInto("api_tokens")
    .values({ user_id: userId, org_id: orgId, name, token_hash: hashApiToken(token), scopes })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { token, id: row.id };
}

export interface McpHarness {
  /** `<PUBLIC_URL>/mcp`. */
  url: string;
  /** One HTTP request to the handler. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The SDK client, connected (initialize done) with this token. */
  connect: (token: string, options?: { headers?: Record<string, string> }) => Promise<Client>;
}

export function mcpHarness(kernel: Kernel, options: { settings?: Partial<AgentSettings>; router?: AnyRouter } = {}): McpHarness {
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const url = `${kernel.config.publicUrl}/mcp`;
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) =>
    handleMcpHttp(new Request(input, init), {
      kernel,
      router: options.router ?? testRouter,
      settings,
      requestId: unique("req"),
      ip: "127.0.0.1",
    });
  return {
    url,
    fetch: fetchImpl,
    async connect(token, connectOptions = {}) {
      const client = new Client({ name: "atrium-tests", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}`, ...connectOptions.headers } },
        fetch: fetchImpl,
      });
      await client.connect(transport);
      return client;
    },
  };
}

/** A raw JSON-RPC POST (what a client sends), for the HTTP-level checks. */
export function rpc(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return JSON.stringify({ jsonrpc: "2.0", id, method, params });
}

export const RPC_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
