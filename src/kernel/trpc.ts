/**
 * tRPC for Atrium, in three sections: context, initialization, procedures.
 *
 * Authorization lives here, in the procedure builders, never in a surface (HTTP, MCP, chat):
 * every procedure is either `publicProcedure` or `capabilityProcedure(cap)`, and a check at
 * boot (and a test) refuses any procedure that declares neither.
 */
import { initTRPC, TRPCError, type AnyRouter } from "@trpc/server";
import { z, ZodError } from "zod";
import type { Capability } from "./capabilities";
import type { Kernel } from "./kernel";
import type { Role } from "./db/schema";

/* ----------------------------------------------------------------------------------------
 * 1. Context
 * ------------------------------------------------------------------------------------- */

/** Who is calling. Sessions and tokens (issue "Identity, tenancy and authorization") fill it. */
export type Actor =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; sessionId?: string }
  | { kind: "system"; name: string };

export interface RequestContext {
  kernel: Kernel;
  actor: Actor;
  requestId: string;
  ip: string | null;
  /** Response headers a procedure may set (cookies, Retry-After). */
  resHeaders: Headers | null;
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
}

/** Metadata every procedure carries: who may call it, and how agents see it. */
export interface ProcedureMeta {
  /** Explicitly open to anyone (still subject to rate limits). */
  access?: "public";
  /** The capability a member needs; set by `capabilityProcedure`. */
  capability?: string;
  /** Exposed to AI agents as an MCP tool (the agent plugin reads this). */
  mcp?: {
    name: string;
    description: string;
    readOnly?: boolean;
    destructive?: boolean;
    idempotent?: boolean;
  };
}

/* ----------------------------------------------------------------------------------------
 * 2. Initialization
 * ------------------------------------------------------------------------------------- */

/** Field errors from a zod error: `{ "layout.rows.0.width": ["Expected a number"] }`. */
export function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        // Never send internal details (SQL, stack traces) to the caller.
        message: internal ? "Something went wrong on our side. It has been logged." : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          requestId: ctx?.requestId ?? null,
          fieldErrors: zodError ? fieldErrorsOf(zodError) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/* ----------------------------------------------------------------------------------------
 * 3. Procedures
 * ------------------------------------------------------------------------------------- */

/** Times every call, counts it by result, and turns input validation failures into 422. */
const baseProcedure = t.procedure.use(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  const seconds = (performance.now() - started) / 1000;
  const metrics = ctx.kernel.metrics;
  metrics.procedureDuration.observe({ path, type }, seconds);
  if (result.ok) {
    metrics.procedureCalls.inc({ path, type, code: "OK" });
    return result;
  }
  const error = result.error;
  if (error.code === "BAD_REQUEST" && error.cause instanceof ZodError) {
    metrics.procedureCalls.inc({ path, type, code: "UNPROCESSABLE_CONTENT" });
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: summarizeZodError(error.cause), cause: error.cause });
  }
  metrics.procedureCalls.inc({ path, type, code: error.code });
  if (error.code === "INTERNAL_SERVER_ERROR") {
    ctx.kernel.log.error({ err: error.cause ?? error, path, requestId: ctx.requestId }, "procedure failed");
  }
  return result;
});

function summarizeZodError(error: ZodError): string {
  const first = error.issues[0];
  if (!first) return "Invalid input";
  const where = first.path.length ? `${first.path.map(String).join(".")}: ` : "";
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return `Invalid input: ${where}${first.message}${more}`;
}

/** Open to anyone, signed in or not. Say so on purpose: it is the exception. */
export const publicProcedure = baseProcedure.meta({ access: "public" });

/** The caller's role in an org, or null when they are not a member (or the org is gone). */
async function roleIn(ctx: RequestContext, orgId: string): Promise<Role | null> {
  if (ctx.actor.kind !== "user") return null;
  return ctx.kernel.tenancy.roleOf(ctx.actor.userId, orgId);
}

/**
 * A procedure acting inside one org that needs `capability`. The input gains `orgId`;
 * the context gains `org: { id, role }` and a signed-in `actor`.
 *
 * 401 when not signed in; 404 when the org does not exist *or* the caller is not a member
 * (so orgs cannot be enumerated); 403 when a member lacks the capability.
 */
export function capabilityProcedure(capability: Capability) {
  return baseProcedure
    .meta({ capability: capability.id })
    .input(z.object({ orgId: z.uuid({ message: "orgId must be an organization id (UUID)" }) }))
    .use(async ({ ctx, input, next }) => {
      if (ctx.actor.kind !== "user") {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
      }
      const role = await roleIn(ctx, input.orgId);
      if (!role) throw new TRPCError({ code: "NOT_FOUND", message: "Organization not found." });
      if (!ctx.kernel.capabilities.allows(role, capability.id)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `Your role (${role}) does not allow this: ${capability.description}.`,
        });
      }
      return next({ ctx: { ...ctx, actor: ctx.actor, org: { id: input.orgId, role } } });
    });
}

/* ----------------------------------------------------------------------------------------
 * Router checks
 * ------------------------------------------------------------------------------------- */

interface ProcedureLike {
  _def: { type: string; meta?: ProcedureMeta };
}

/** Every procedure of a router by dotted path. */
export function proceduresOf(router: AnyRouter): Array<{ path: string; type: string; meta: ProcedureMeta }> {
  const procedures = router._def.procedures as Record<string, ProcedureLike>;
  return Object.entries(procedures).map(([path, p]) => ({ path, type: p._def.type, meta: p._def.meta ?? {} }));
}

/**
 * Problems with procedure access declarations: any procedure that is neither public nor
 * guarded by a registered capability. The kernel refuses to boot when this is non-empty.
 */
export function accessProblems(router: AnyRouter, isRegistered: (capabilityId: string) => boolean): string[] {
  const problems: string[] = [];
  for (const { path, meta } of proceduresOf(router)) {
    if (meta.access === "public" && meta.capability) {
      problems.push(`${path}: declares both public access and capability "${meta.capability}"`);
    } else if (meta.capability) {
      if (!isRegistered(meta.capability)) problems.push(`${path}: capability "${meta.capability}" is not declared by any installed plugin`);
    } else if (meta.access !== "public") {
      problems.push(`${path}: declares neither a capability (capabilityProcedure) nor public access (publicProcedure)`);
    }
  }
  return problems;
}
