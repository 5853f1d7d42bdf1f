/**
 * The fast way to answer an MCP request: one long-lived server (./server.ts) behind this
 * in-memory transport, instead of a new SDK `Server` and HTTP transport per request (ADR 025:
 * building them cost more than the tool call it served).
 *
 * Nothing is shared between callers: who is calling travels with each message (`authInfo`), and
 * each message gets an id of the transport's own while the server handles it, so two clients that
 * both number their request `1` cannot receive each other's answer. The answer carries the
 * client's id back, byte for byte what the SDK's HTTP transport would have sent.
 *
 * Only the plain case takes this path (one JSON-RPC request, JSON accepted, a protocol version
 * the SDK supports): ./http.ts sends everything else through the SDK's own transport.
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { HeaderReader } from "~/kernel/auth/request";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isJSONRPCRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

export class DirectTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private nextId = 0;
  private readonly waiting = new Map<number, { id: RequestId; resolve: (answer: JSONRPCMessage) => void }>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.waiting.clear();
    this.onclose?.();
  }

  /** The server's answer to a request: back to its caller, under the caller's id. Anything else (notifications) has no one to go to. */
  async send(message: JSONRPCMessage): Promise<void> {
    // A response carries an id and a result or an error (the server built it; checking it against
    // the SDK's schemas would parse the whole answer, a dashboard's YAML included, again).
    if (!("id" in message) || typeof message.id !== "number" || !("result" in message || "error" in message)) return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id as number);
    waiting.resolve(Object.assign({}, message, { id: waiting.id }));
  }

  /** Hands `message` to the server as `authInfo`'s caller and resolves with its answer. */
  dispatch(message: JSONRPCRequest, authInfo: AuthInfo): Promise<JSONRPCMessage> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, { id: message.id, resolve });
      // A spread, not Object.assign: the message is the caller's JSON (an own "__proto__" key
      // stays a plain key). Only messages other than a plain tool call come here.
      // eslint-disable-next-line no-restricted-syntax
      this.onmessage?.({ ...message, id }, { authInfo });
    });
  }

  /** How many requests the server is handling now (for tests). */
  get inFlight(): number {
    return this.waiting.size;
  }
}

/** A server connected to a `DirectTransport`, made once per process. */
export function directServer(create: () => Server): () => Promise<DirectTransport> {
  let connected: Promise<DirectTransport> | undefined;
  return () =>
    (connected ??= (async () => {
      const transport = new DirectTransport();
      await create().connect(transport);
      return transport;
    })());
}

/**
 * `message` as a request the direct path may answer, or null when the SDK's HTTP transport must
 * decide (notifications, responses, other content types, a version it would refuse, a
 * message it would reject): the SDK keeps every edge case, the common call skips its cost.
 */
export function directRequest(headers: HeaderReader, message: unknown): JSONRPCRequest | null {
  const accept = headers.get("accept") ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) return null;
  if (headers.get("content-type") !== "application/json") return null;
  if (Array.isArray(message)) return null;
  const request = plainRequest(message) ?? fullyParsedRequest(message);
  if (!request) return null;
  if (request.method !== "initialize") {
    const version = headers.get("mcp-protocol-version");
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return null;
  }
  return request;
}

const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);

/**
 * The common request, checked field by field as the SDK's (strict) request schema would accept
 * it: exactly jsonrpc "2.0", a string or integer id, a method, object params without `_meta`.
 * Null for anything else, which the schema then decides (`fullyParsedRequest`).
 */
export function plainRequest(message: unknown): JSONRPCRequest | null {
  if (typeof message !== "object" || message === null) return null;
  const m = message as Record<string, unknown>;
  for (const key in m) if (!REQUEST_KEYS.has(key)) return null;
  if (m.jsonrpc !== "2.0" || typeof m.method !== "string") return null;
  if (typeof m.id !== "string" && !Number.isInteger(m.id)) return null;
  const params = m.params;
  if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params) || "_meta" in params)) return null;
  return m as unknown as JSONRPCRequest;
}

function fullyParsedRequest(message: unknown): JSONRPCRequest | null {
  const parsed = JSONRPCMessageSchema.safeParse(message);
  return parsed.success && isJSONRPCRequest(parsed.data) ? parsed.data : null;
}
