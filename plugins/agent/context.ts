/**
 * One MCP request acting as one token: its request context, and procedure calls by path (for
 * resources, prompts and slug lookups) through the same middleware as every other surface.
 */
import type { AnyRouter } from "@trpc/server";
import type { Kernel } from "~/kernel/kernel";
import { createCallerFactory, type Actor, type RequestContext } from "~/kernel/trpc";

export type TokenActor = Extract<Actor, { kind: "token" }>;

export interface AgentRequest {
  kernel: Kernel;
  router: AnyRouter;
  actor: TokenActor;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  signal?: AbortSignal;
}

export function contextFor(request: AgentRequest): RequestContext {
  return {
    kernel: request.kernel,
    actor: request.actor,
    db: request.kernel.db,
    requestId: request.requestId,
    ip: request.ip,
    // An MCP answer carries no headers a procedure sets (cookies are for browsers).
    resHeaders: null,
    userAgent: request.userAgent,
    signal: request.signal,
  };
}

/** Calls a procedure by dotted path as this request's actor. */
export async function callProcedure(request: AgentRequest, path: string, input: unknown): Promise<unknown> {
  let target: unknown = createCallerFactory(request.router)(contextFor(request));
  for (const segment of path.split(".")) target = (target as Record<string, unknown>)[segment];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

export function hasProcedure(router: AnyRouter, path: string): boolean {
  return path in (router._def.procedures as Record<string, unknown>);
}

/**
 * A JSON-RPC error for the client. Not the SDK's McpError: its message already carries the
 * "MCP error <code>: " prefix, which the client would add a second time.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
