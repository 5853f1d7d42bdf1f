/**
 * tRPC's single-call path without the fetch machinery: one query (GET) or one mutation (POST
 * with a JSON body), not batched, not streamed, called straight on the procedure and answered
 * in tRPC's own response shape (`{"result":{"data":…}}` or `{"error":…}` through the router's
 * error formatter, with tRPC's status code). Everything else — batches, subscriptions (SSE),
 * streamed batches, method overrides, unknown paths, bodies that are not JSON — returns null
 * and goes through tRPC's fetch adapter, which then answers exactly as it always did.
 *
 * The guard chain is the procedure's own (middlewares, input parsing, the error formatter):
 * this module only skips building a `Request`, a `Response` and their streams, and runs that
 * chain through `runChain` (src/kernel/trpc-chain.ts).
 */
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  TRPCError,
} from "@trpc/server/unstable-core-do-not-import";
import type { HeaderReader } from "~/kernel/auth/request";
import type { RequestContext } from "~/kernel/trpc";
import { runChain, type ProcedureChain } from "~/kernel/trpc-chain";

export interface FastCall {
  method: string;
  /** The path below the endpoint, e.g. `kernel.info`. */
  path: string;
  search: URLSearchParams;
  headers: HeaderReader;
  body: Uint8Array;
  signal: AbortSignal;
  createContext: () => Promise<RequestContext>;
}

export interface FastAnswer {
  status: number;
  /** The JSON text of the response. */
  body: string;
}

const SIMPLE_PATH = /^[A-Za-z0-9_.-]+$/;

function isJsonContentType(value: string | null): boolean {
  return value?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** Like tRPC's own check: data that only a streaming response could carry. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseInput(call: FastCall): Parsed {
  try {
    if (call.method === "GET") {
      const raw = call.search.get("input");
      return { ok: true, value: raw ? JSON.parse(raw) : undefined };
    }
    const text = call.body.byteLength ? Buffer.from(call.body.buffer, call.body.byteOffset, call.body.byteLength).toString("utf8") : "";
    return { ok: true, value: text ? JSON.parse(text) : undefined };
  } catch {
    // tRPC's own path words the parse error.
    return { ok: false };
  }
}

/** Answers a simple call, or returns null when tRPC's fetch adapter must. */
export async function fastTrpcCall(router: AnyRouter, call: FastCall): Promise<FastAnswer | null> {
  if (call.search.has("batch") || call.headers.get("trpc-accept") !== null) return null;
  if (!SIMPLE_PATH.test(call.path)) return null;
  const procedures = router._def.procedures as Record<string, AnyProcedure | undefined>;
  if (!Object.hasOwn(procedures, call.path)) return null;
  const procedure = procedures[call.path]!;
  const type = procedure._def.type;
  if (type === "query" ? call.method !== "GET" : type === "mutation" ? call.method !== "POST" || !isJsonContentType(call.headers.get("content-type")) : true) {
    return null;
  }
  const input = parseInput(call);
  if (!input.ok) return null;

  const config = router._def._config;
  let ctx: RequestContext | undefined;
  let error: TRPCError | null = null;
  let data: unknown;
  try {
    ctx = await call.createContext();
    const result = await runChain(procedure._def as unknown as ProcedureChain, 0, { path: call.path, getRawInput: async () => input.value, ctx, type, signal: call.signal, batchIndex: 0 });
    if (!result.ok) throw result.error;
    data = result.data;
    if (isDataStream(data)) {
      throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });
    }
  } catch (cause) {
    error = getTRPCErrorFromUnknown(cause);
  }
  // tRPC's response item, passed through the router's output transformer as
  // `transformTRPCResponse` would (without its copies of the item).
  const serialize = config.transformer.output.serialize as (value: unknown) => unknown;
  if (error) {
    const shape = getErrorShape({ config, ctx, error, input: input.value, path: call.path, type });
    return { status: getHTTPStatusCode({ error: shape } as Parameters<typeof getHTTPStatusCode>[0], [error]), body: JSON.stringify({ error: serialize(shape) }) };
  }
  return { status: 200, body: JSON.stringify({ result: { data: serialize(data) } }) };
}
