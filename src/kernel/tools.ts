/**
 * The tool registry: every procedure carrying `mcp` metadata, seen as a tool an AI agent can
 * call. One registry serves every agent surface (MCP over HTTP, the in-app chat), so a tool
 * behaves the same wherever it is called: the call goes through the procedure itself (its
 * input validation, authorization, scoped transaction and audit), never around it.
 *
 * - `toolsOf(router)`: the descriptors, with input JSON Schema derived from the zod inputs.
 * - `availableTools(kernel, router, actor, { orgId })`: what this caller may use. A read
 *   token sees only read-only tools; a member sees only tools their role's capabilities allow.
 * - `callTool(...)`: runs one by name; a tool the caller may not use answers NOT_FOUND.
 */
import { callProcedureDirect, procedureAt } from "./trpc-chain";
import { TRPCError, type AnyRouter } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z, ZodError, type ZodType } from "zod";
import { capabilitiesOf, createCallerFactory, grantsHeldFor, type Actor, type ProcedureMeta, type RequestContext } from "./trpc";
import { fieldErrorsOf, FieldErrors } from "./errors";
import { applyScope } from "./scope";
import { effectiveProjectRole } from "./tenancy/roles";
import type { Role } from "./db/schema";
import type { Kernel } from "./kernel";

export const TOOL_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export type JsonSchemaObject = {
  type: "object";
  properties: Record<string, unknown>;
  required?: string[];
  [key: string]: unknown;
};

export interface ToolDescriptor {
  /** snake_case verb name, e.g. `get_dashboard`. */
  name: string;
  /** The procedure's dotted path, e.g. `dashboards.get`. */
  path: string;
  description: string;
  type: "query" | "mutation";
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  /** The capability the procedure needs (the first, when several), or null for signed-in/public procedures. */
  capability: string | null;
  /** Every capability the procedure needs (empty for signed-in/public procedures). */
  capabilities: string[];
  /** JSON Schema of the input (always a top-level object). */
  inputSchema: JsonSchemaObject;
  /** Reachable through a grant (sharing): a grantable project procedure or an org-wide list that grants reach. */
  grantable: boolean;
}

interface ProcedureInternals {
  _def: { type: string; meta?: ProcedureMeta; inputs?: unknown[] };
}

const cache = new WeakMap<AnyRouter, ToolDescriptor[]>();

/** JSON Schema of one zod input; a schema that cannot be represented becomes an open object. */
function schemaOf(input: unknown): JsonSchemaObject {
  try {
    const json = z.toJSONSchema(input as ZodType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    delete json.$schema;
    if (json.type === "object") return json as JsonSchemaObject;
    return { type: "object", properties: {}, ...json } as JsonSchemaObject;
  } catch {
    return { type: "object", properties: {} };
  }
}

/** Merges the schemas of a procedure's chained inputs (tRPC merges the parsed objects the same way). */
export function mergeSchemas(inputs: unknown[]): JsonSchemaObject {
  const merged: JsonSchemaObject = { type: "object", properties: {}, required: [] };
  for (const input of inputs) {
    const schema = schemaOf(input);
    Object.assign(merged.properties, schema.properties ?? {});
    for (const name of schema.required ?? []) if (!merged.required!.includes(name)) merged.required!.push(name);
    if (schema.additionalProperties === false) merged.additionalProperties = false;
  }
  if (!merged.required!.length) delete merged.required;
  return merged;
}

/** Every tool of a router, by procedure order. Throws on a badly named or duplicated tool. */
export function toolsOf(router: AnyRouter): ToolDescriptor[] {
  const known = cache.get(router);
  if (known) return known;
  const procedures = router._def.procedures as Record<string, ProcedureInternals>;
  const tools: ToolDescriptor[] = [];
  const seen = new Map<string, string>();
  for (const [path, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta ?? {};
    if (!meta.mcp) continue;
    const { name, description } = meta.mcp;
    if (!TOOL_NAME.test(name)) throw new Error(`${path}: MCP tool name "${name}" must be snake_case (e.g. "list_dashboards")`);
    const other = seen.get(name);
    if (other) throw new Error(`${path}: MCP tool name "${name}" is already used by ${other}`);
    seen.set(name, path);
    const type = procedure._def.type;
    if (type !== "query" && type !== "mutation") throw new Error(`${path}: only queries and mutations can be MCP tools`);
    const readOnly = meta.mcp.readOnly ?? type === "query";
    // Every mutation writes (at least its audit event): an agent told otherwise may call it freely.
    if (readOnly && type === "mutation") throw new Error(`${path}: a mutation cannot be a read-only MCP tool (it writes at least an audit event)`);
    tools.push({
      name,
      path,
      description,
      type,
      readOnly,
      destructive: meta.mcp.destructive ?? false,
      idempotent: meta.mcp.idempotent ?? readOnly,
      capability: meta.capability ?? null,
      capabilities: capabilitiesOf(meta),
      inputSchema: mergeSchemas(procedure._def.inputs ?? []),
      grantable: Boolean(meta.grantable || meta.grantableOrg),
    });
  }
  cache.set(router, tools);
  return tools;
}

/**
 * The input schema shown to a caller for whom some arguments have defaults (a token's org):
 * those arguments become optional and say what they default to.
 */
export function inputSchemaWithDefaults(tool: ToolDescriptor, defaults: Record<string, string | undefined>): JsonSchemaObject {
  const given = Object.entries(defaults).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (!given.length) return tool.inputSchema;
  const properties = { ...tool.inputSchema.properties };
  for (const key of given) {
    if (properties[key] && typeof properties[key] === "object") {
      properties[key] = Object.assign({}, properties[key] as object, { description: `Defaults to ${defaults[key]}.` });
    }
  }
  const required = (tool.inputSchema.required ?? []).filter((name) => !given.includes(name));
  const schema: JsonSchemaObject = Object.assign({}, tool.inputSchema, { properties });
  if (required.length) schema.required = required;
  else delete schema.required;
  return schema;
}

/**
 * The org role of a signed-in actor (null: not a member) and the roles their project-level
 * overrides give them in that org's live projects, looked up under their scope.
 */
async function rolesIn(kernel: Kernel, userId: string, orgId: string): Promise<{ org: Role | null; projects: Role[] }> {
  // From the instance's auth cache when it can (invalidated by membership, project-role and
  // project changes on every instance); a non-member's answer is never kept.
  return kernel.authCache.get(
    `tool-roles:${orgId}:${userId}`,
    () => readRolesIn(kernel, userId, orgId),
    () => [`m:${orgId}:${userId}`, `o:${orgId}`, `r:${orgId}:${userId}`, `j:${orgId}`],
    (roles) => roles.org !== null,
  );
}

async function readRolesIn(kernel: Kernel, userId: string, orgId: string): Promise<{ org: Role | null; projects: Role[] }> {
  return kernel.db.transaction().execute(async (trx) => {
    await applyScope(trx, { userId, orgId });
    const org = await kernel.tenancy.roleOf(userId, orgId, trx);
    if (!org) return { org: null, projects: [] };
    const rows = await trx
      .selectFrom("project_roles")
      .innerJoin("projects", "projects.id", "project_roles.project_id")
      .select("project_roles.role")
      .distinct()
      .where("project_roles.user_id", "=", userId)
      .where("project_roles.org_id", "=", orgId)
      .where("projects.deleted_at", "is", null)
      .execute();
    return { org, projects: rows.map((r) => effectiveProjectRole(org, r.role)) };
  });
}

/** The roles the grants this person holds in the org give (none without a plugin that keeps grants). */
async function grantedRoles(kernel: Kernel, actor: Extract<Actor, { kind: "user" | "token" }>, orgId: string): Promise<Role[]> {
  if (!kernel.plugins.some((p) => p.grantsHeld)) return [];
  return kernel.db.transaction().execute(async (trx) => {
    await applyScope(trx, { userId: actor.userId, orgId });
    const held = await grantsHeldFor(kernel, trx, actor, orgId, []);
    return [...new Set(held.map((g) => g.role))];
  });
}

/** A tool acting on one project (its input takes a projectId): a project-level role can grant it. */
function isProjectTool(tool: ToolDescriptor): boolean {
  return "projectId" in tool.inputSchema.properties && (tool.inputSchema.required ?? []).includes("projectId");
}

/**
 * The tools this caller may use. `orgId` is the org the caller works in (a token's own org
 * wins); without one, org-scoped tools are listed for people (calls still authorize fully).
 */
export async function availableTools(
  kernel: Kernel,
  router: AnyRouter,
  actor: Actor,
  options: { orgId?: string | null } = {},
): Promise<ToolDescriptor[]> {
  if (actor.kind !== "user" && actor.kind !== "token") return [];
  // A read token calls queries only (mutations need "write", whatever they change).
  const readOnly = actor.kind === "token" && !actor.scopes.includes("write");
  const orgId = actor.kind === "token" ? actor.orgId : (options.orgId ?? null);
  if (!orgId) return readOnly ? toolsOf(router).filter(isReadOnlyQuery) : toolsOf(router);
  const roles = await rolesIn(kernel, actor.userId, orgId);
  const holdsAll = (r: Role, tool: ToolDescriptor) => tool.capabilities.every((c) => kernel.capabilities.allows(r, c));
  const { tools, listed, unlisted } = membershipTools(kernel, router, readOnly, actor.kind === "token" ? (readOnly ? "read" : "write") : "user", roles, holdsAll);
  // Grants (sharing) reach the tools that declare it, with the role they give: read only when
  // such a tool is not already listed (never cached, so a revoked share leaves at once).
  if (!unlisted.length) return listed;
  const granted = await grantedRoles(kernel, actor, orgId);
  const reached = new Set(unlisted.filter((tool) => granted.some((r) => holdsAll(r, tool))));
  return tools.filter((tool) => listed.includes(tool) || reached.has(tool));
}

function isReadOnlyQuery(tool: ToolDescriptor): boolean {
  return tool.readOnly && tool.type === "query";
}

/** Tool lists by (router, capability grants, caller kind and scopes, org role, project roles): the same inputs, the same list. */
const membershipLists = new WeakMap<object, Map<string, { tools: ToolDescriptor[]; listed: ToolDescriptor[]; unlisted: ToolDescriptor[] }>>();

/**
 * The tools a membership reaches (`listed`), and the grantable ones it does not (`unlisted`, which
 * a share may still reach), among the caller's kind of tools (`tools`: queries only for a read
 * token), computed once per distinct input. A project-level role may grant more than the org
 * role, in that project: such tools are listed, and the procedure decides per project (403 in
 * the others).
 */
function membershipTools(
  kernel: Kernel,
  router: AnyRouter,
  readOnly: boolean,
  /** The caller's kind and, for a token, its scope: "user", "read" or "write" (the tools differ). */
  callerKey: string,
  roles: { org: Role | null; projects: Role[] },
  holdsAll: (r: Role, tool: ToolDescriptor) => boolean,
): { tools: ToolDescriptor[]; listed: ToolDescriptor[]; unlisted: ToolDescriptor[] } {
  let byRouter = membershipLists.get(kernel.capabilities);
  if (!byRouter) membershipLists.set(kernel.capabilities, (byRouter = new Map()));
  const projects = roles.projects.length < 2 ? roles.projects.join(",") : [...new Set(roles.projects)].sort().join(",");
  const key = `${routerId(router)}|${callerKey}|${roles.org ?? "-"}|${projects}`;
  const known = byRouter.get(key);
  if (known) return known;
  const tools = readOnly ? toolsOf(router).filter(isReadOnlyQuery) : toolsOf(router);
  const role = roles.org;
  const byMembership = (tool: ToolDescriptor) =>
    tool.capability === null || (role !== null && (holdsAll(role, tool) || (isProjectTool(tool) && roles.projects.some((r) => holdsAll(r, tool)))));
  const answer = { tools, listed: tools.filter(byMembership), unlisted: tools.filter((tool) => tool.grantable && !byMembership(tool)) };
  // A handful of distinct keys in practice (roles × scopes); bounded all the same.
  if (byRouter.size >= 1000) byRouter.clear();
  byRouter.set(key, answer);
  return answer;
}

/** A stable id per router object (tests build several). */
const routerIds = new WeakMap<AnyRouter, number>();
let nextRouterId = 0;
function routerId(router: AnyRouter): number {
  let id = routerIds.get(router);
  if (id === undefined) routerIds.set(router, (id = ++nextRouterId));
  return id;
}

export type ToolErrorCode =
  | "NOT_FOUND"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "CONFLICT"
  | "UNPROCESSABLE_CONTENT"
  | "TOO_MANY_REQUESTS"
  | "BAD_REQUEST"
  | "TIMEOUT"
  | "INTERNAL_SERVER_ERROR"
  | string;

export type ToolResult =
  | { ok: true; tool: ToolDescriptor; data: unknown }
  | {
      ok: false;
      tool: ToolDescriptor | null;
      error: { code: ToolErrorCode; httpStatus: number; message: string; fieldErrors: Record<string, string[]> | null };
    };

/** A TRPCError (or anything thrown) as a tool error: same codes and field errors as HTTP. */
export function toolErrorOf(error: unknown): Extract<ToolResult, { ok: false }>["error"] {
  const trpc = error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
  let code: string = trpc.code;
  let message = trpc.message;
  let fieldErrors: Record<string, string[]> | null = null;
  if (trpc.cause instanceof ZodError) {
    code = "UNPROCESSABLE_CONTENT";
    fieldErrors = fieldErrorsOf(trpc.cause);
    const [field, messages] = Object.entries(fieldErrors)[0] ?? ["_", ["Invalid input"]];
    message = `Invalid input: ${field}: ${messages[0]}`;
  } else if (trpc.cause instanceof FieldErrors) {
    fieldErrors = trpc.cause.fields;
  }
  if (code === "INTERNAL_SERVER_ERROR") message = "Something went wrong on our side. It has been logged.";
  const httpStatus = code === "UNPROCESSABLE_CONTENT" ? 422 : getHTTPStatusCodeFromError(trpc);
  return { code, httpStatus, message, fieldErrors };
}

/**
 * Calls a tool by name as `ctx.actor`. Arguments missing from `args` are taken from
 * `defaults` (e.g. the token's `orgId`). `available` is the caller's tool list
 * (from `availableTools`); a tool outside it answers NOT_FOUND, like an unknown one.
 */
const callerFactories = new WeakMap<AnyRouter, ReturnType<typeof createCallerFactory>>();
/** One caller factory per router (building it walks the router). */
function callerFactoryOf(router: AnyRouter): ReturnType<typeof createCallerFactory> {
  let factory = callerFactories.get(router);
  if (!factory) callerFactories.set(router, (factory = createCallerFactory(router)));
  return factory;
}

export async function callTool(
  router: AnyRouter,
  ctx: RequestContext,
  name: string,
  args: unknown,
  options: { available: ToolDescriptor[]; defaults?: Record<string, string | undefined> },
): Promise<ToolResult> {
  const tool = options.available.find((candidate) => candidate.name === name) ?? null;
  if (!tool) {
    return { ok: false, tool: null, error: { code: "NOT_FOUND", httpStatus: 404, message: `Unknown tool "${name}".`, fieldErrors: null } };
  }
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    return { ok: false, tool, error: { code: "UNPROCESSABLE_CONTENT", httpStatus: 422, message: "Arguments must be an object.", fieldErrors: { _: ["Arguments must be an object."] } } };
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.defaults ?? {})) if (value !== undefined) input[key] = value;
  Object.assign(input, args ?? {});
  try {
    // The procedure's own chain, called as tRPC's server-side caller would (trpc-chain.ts).
    const procedure = procedureAt(router, tool.path);
    let data: unknown;
    if (procedure) data = await callProcedureDirect(procedure, { path: tool.path, ctx, input });
    else {
      const caller = callerFactoryOf(router)(ctx) as unknown as Record<string, unknown>;
      let target: unknown = caller;
      for (const segment of tool.path.split(".")) target = (target as Record<string, unknown>)[segment];
      data = await (target as (input: unknown) => Promise<unknown>)(input);
    }
    return { ok: true, tool, data };
  } catch (error) {
    return { ok: false, tool, error: toolErrorOf(error) };
  }
}
