/**
 * tRPC for Atrium, in three sections: context, initialization, procedures.
 *
 * Authorization lives here, in the procedure builders, never in a surface (HTTP, MCP, chat):
 * every procedure is either `publicProcedure` or `capabilityProcedure(cap)`, and a check at
 * boot (and a test) refuses any procedure that declares neither.
 */
import { initTRPC, TRPCError, type AnyRouter } from "@trpc/server";
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from "kysely";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z, ZodError } from "zod";
import { writeAudit, type AuditActor, type AuditEntry } from "./audit";
import type { Capability } from "./capabilities";
import type { Kernel } from "./kernel";
import type { KernelDatabase, Role, TokenScope } from "./db/schema";
import { isDatabaseUnavailable } from "./db/database";
import { applyScope } from "./scope";
import { scopedTransaction } from "./db/scoped-begin";
import type { ProjectWithRole } from "./tenancy/roles";
import { enforceSignInPolicy } from "./auth/policy";
import type { Actor, SignedInActor } from "./actor";
import { FieldErrors, fieldErrorsOf, forbidden, notFound } from "./errors";
import { withExpensiveBudget } from "./budget";
import { grantedRole, grantsHeld, higherRole, type Grantable, type GrantLister, type GrantResolver, type HeldGrant } from "./grants";

/* ----------------------------------------------------------------------------------------
 * 1. Context
 * ------------------------------------------------------------------------------------- */

export type { Actor, SignedInActor } from "./actor";

export interface RequestContext {
  kernel: Kernel;
  actor: Actor;
  /** The database for this call: inside guarded procedures, a transaction under the caller's scope. */
  db: Kysely<KernelDatabase>;
  requestId: string;
  ip: string | null;
  /** Response headers a procedure may set (cookies, Retry-After). */
  resHeaders: Headers | null;
  userAgent?: string | null;
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
}

/** Metadata every procedure carries: who may call it, and how agents see it. */
export interface ProcedureMeta {
  /** "public": open to anyone; "signed-in": any signed-in person, no org needed (account pages). */
  access?: "public" | "signed-in";
  /** The capability a member needs (the first, when several); set by the capability builders. */
  capability?: string;
  /** Every capability a member needs, `capability` included; set by the capability builders. */
  capabilities?: string[];
  /**
   * "expensive": runs within the org's concurrency budget (chart rendering, dashboard runs,
   * previews, ad-hoc queries); past it, 429 with Retry-After. See src/kernel/budget.ts.
   */
  cost?: "expensive";
  /** Reachable through a grant on this resource (set by `grantableProjectProcedure`). */
  grantable?: Grantable;
  /** An org-wide procedure the grants a person holds also reach (set by `grantableOrgProcedure`). */
  grantableOrg?: boolean;
  /**
   * Served as a REST operation under `/api/v1` and described in `/api/v1/openapi.json` (the
   * rest-api plugin, with trpc-to-openapi): `{ method, path: "/orgs/{orgId}/…", summary }`. The
   * procedure needs an `.output()` schema for the document.
   */
  openapi?: OpenApiMeta["openapi"];
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

const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      // The database cannot be reached (restarting, failing over): 503, worth retrying.
      const unavailable = internal && isDatabaseUnavailable(error.cause);
      // A body that is not JSON: say so, not in the JSON parser's words.
      const unparsable = !internal && error.cause instanceof SyntaxError;
      return Object.assign({}, shape, {
        // Never send internal details (SQL, stack traces) to the caller.
        message: unavailable
          ? "The database is not reachable right now. Try again in a moment."
          : internal
            ? "Something went wrong on our side. It has been logged."
            : unparsable
              ? "The request body must be valid JSON."
              : shape.message,
        data: {
          code: unavailable ? "SERVICE_UNAVAILABLE" : shape.data.code,
          httpStatus: unavailable ? 503 : shape.data.httpStatus,
          path: shape.data.path,
          // An error from building the context has no ctx: it carries the id itself (src/server/context.ts).
          requestId: ctx?.requestId ?? (error as { requestId?: string }).requestId ?? null,
          fieldErrors: zodError ? fieldErrorsOf(zodError) : error.cause instanceof FieldErrors ? error.cause.fields : null,
        },
      });
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

/** The audit actor for a request actor. */
export function auditActorOf(actor: Actor): AuditActor {
  switch (actor.kind) {
    case "user":
      return actor.agent ? { kind: "agent", userId: actor.userId, label: actor.agent.client } : { kind: "user", userId: actor.userId };
    case "token":
      return actor.agent
        ? { kind: "agent", userId: actor.userId, tokenId: actor.tokenId, label: actor.agent.client }
        : { kind: "token", userId: actor.userId, tokenId: actor.tokenId };
    case "system":
      return { kind: "system", label: actor.name };
    default:
      return { kind: "anonymous" };
  }
}

const WRITE_TYPES = new Set(["mutation"]);

/** 401 for nobody; 403 for a token without the scope this call type needs (before any lookup). */
function requireSignedIn(actor: Actor, type: string): SignedInActor {
  if (actor.kind !== "user" && actor.kind !== "token") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  if (actor.kind === "token") {
    const needs: TokenScope = WRITE_TYPES.has(type) ? "write" : "read";
    const has = actor.scopes.includes(needs) || (needs === "read" && actor.scopes.includes("write"));
    if (!has) throw forbidden(`This token lacks the "${needs}" scope.`);
  }
  return actor;
}

type AuditFn = (entry: Omit<AuditEntry, "orgId"> & { orgId?: string | null }) => Promise<void>;

/**
 * Runs a guarded call: inside a transaction under the caller's scope for queries and
 * mutations (rolled back when the call fails), and records an audit event for every
 * successful mutation that did not record its own.
 */
async function runScoped<T extends { ok: boolean }>(opts: {
  ctx: RequestContext;
  type: string;
  path: string;
  actor: SignedInActor;
  orgId: string | null;
  getRawInput: () => Promise<unknown>;
  /** Resolves what the scope needs before the call (e.g. the role); throws to deny. */
  authorize: (trx: Transaction<KernelDatabase>) => Promise<void>;
  call: (extra: { db: Kysely<KernelDatabase>; audit: AuditFn }) => Promise<T>;
}): Promise<T> {
  const { ctx, actor } = opts;
  const scope = { userId: actor.userId, orgId: opts.orgId };
  const auditIn = (db: Kysely<KernelDatabase>, state: { audited: boolean }): AuditFn => async (entry) => {
    state.audited = true;
    await writeAudit(db, auditActorOf(actor), entry.orgId === undefined ? Object.assign({}, entry, { orgId: opts.orgId }) : entry, { ip: ctx.ip, requestId: ctx.requestId });
  };
  if (opts.type === "subscription") {
    // A subscription lives long: authorize in a short transaction, then stream outside one.
    await scopedTransaction(ctx.kernel.db, scope, applyScope, (trx) => opts.authorize(trx));
    return opts.call({ db: ctx.kernel.db, audit: auditIn(ctx.kernel.db, { audited: false }) });
  }
  // One transaction, its scope sent with BEGIN; the role and the sign-in policy usually come
  // from the instance's cache (src/kernel/auth/cache.ts), so the call's own queries follow.
  return scopedTransaction(ctx.kernel.db, scope, applyScope, async (trx) => {
    await opts.authorize(trx);
    const state = { audited: false };
    const result = await opts.call({ db: trx, audit: auditIn(trx, state) });
    if (!result.ok) throw (result as unknown as { error: unknown }).error; // roll back
    if (opts.type === "mutation" && !state.audited) {
      const raw = await opts.getRawInput();
      await writeAudit(trx, auditActorOf(actor), { action: opts.path, orgId: opts.orgId, data: { input: raw } }, { ip: ctx.ip, requestId: ctx.requestId });
    }
    return result;
  });
}

/**
 * Any signed-in person, no org needed: account settings, the org list, creating an org.
 * Tokens count as their person (within their scopes).
 */
export const userProcedure = baseProcedure.meta({ access: "signed-in" }).use(async ({ ctx, type, path, getRawInput, next }) => {
  const actor = requireSignedIn(ctx.actor, type);
  return runScoped({
    ctx,
    type,
    path,
    actor,
    orgId: null,
    getRawInput,
    authorize: async () => {},
    call: ({ db, audit }) => next({ ctx: { actor, db, audit } }),
  });
});

/** Like `userProcedure`, but only for a person in a browser session (tokens get 403). */
export const sessionProcedure = userProcedure.use(({ ctx, next }) => {
  // The assistant acting for a person is not the person at the browser: session-only work stays theirs.
  if (ctx.actor.kind !== "user" || ctx.actor.agent) {
    throw forbidden("This needs a signed-in browser session; tokens and agents cannot do it.");
  }
  return next({ ctx: { actor: ctx.actor } });
});

/**
 * The shared body of org- and project-scoped procedures: a signed-in caller (a token only for
 * its own org), `authorize` resolving the role inside the scoped transaction, then the call.
 */
function runOrgGuarded<T extends { ok: boolean }, R>(
  opts: { ctx: RequestContext; type: string; path: string; orgId: string; getRawInput: () => Promise<unknown>; meta?: ProcedureMeta },
  authorize: (trx: Transaction<KernelDatabase>, actor: SignedInActor) => Promise<R>,
  call: (extra: { actor: SignedInActor; db: Kysely<KernelDatabase>; audit: AuditFn; resolved: R }) => Promise<T>,
): Promise<T> {
  const actor = signedInFor(opts.ctx.actor, opts.type, opts.orgId);
  let resolved: R | undefined;
  // An expensive call waits for a slot of its org's budget before it takes a connection.
  return withExpensiveBudget({ ctx: opts.ctx, actor, cost: opts.meta?.cost, orgId: opts.orgId }, () => runScoped({
    ctx: opts.ctx,
    type: opts.type,
    path: opts.path,
    orgId: opts.orgId,
    getRawInput: opts.getRawInput,
    actor,
    authorize: async (trx) => {
      resolved = await authorize(trx, actor);
      // A member whose way of signing in the org's policy does not accept: 403 with the provider.
      await enforceSignInPolicy(opts.ctx.kernel, trx, actor, opts.orgId, { scoped: true });
    },
    call: ({ db, audit }) => call({ actor, db, audit, resolved: resolved as R }),
  }));
}

const orgIdSchema = z.uuid({ message: "orgId must be an organization id (UUID)" });

/** A signed-in caller for an org-scoped call; a token bound to another org sees 404. */
function signedInFor(actor: Actor, type: string, orgId: string): SignedInActor {
  const signedIn = requireSignedIn(actor, type);
  if (signedIn.kind === "token" && signedIn.orgId !== orgId) throw notFound("Organization not found.");
  return signedIn;
}

/** One or more capabilities, all of which a procedure needs. */
export type Capabilities = readonly [Capability, ...Capability[]];

/** 403 unless `role` holds every capability; the message names the first one missing and why. */
function requireCapabilities(kernel: Pick<Kernel, "capabilities">, role: Role, capabilities: Capabilities, whose: string): void {
  for (const capability of capabilities) {
    if (!kernel.capabilities.allows(role, capability.id)) {
      throw forbidden(`${whose} (${role}) does not allow this: ${capability.description}.`);
    }
  }
}

/** The metadata of a guarded procedure: the first capability (the procedure's subject) and all of them. */
function capabilityMeta(capabilities: Capabilities): ProcedureMeta {
  return { capability: capabilities[0].id, capabilities: capabilities.map((c) => c.id) };
}

const projectIdSchema = z.uuid({ message: "projectId must be a project id (UUID)" });

/** The member's org role inside the guard's transaction; 404 for anyone else (orgs cannot be enumerated). */
async function orgRoleOrNotFound(kernel: Kernel, trx: Transaction<KernelDatabase>, actor: SignedInActor, orgId: string): Promise<Role> {
  const role = await kernel.tenancy.memberRoleOf(actor.userId, orgId, trx);
  if (!role) throw notFound("Organization not found.");
  return role;
}

/** The member's role in one project of the org (`effectiveProjectRole`); 404 when they may not see it. */
async function projectRoleOrNotFound(kernel: Kernel, trx: Transaction<KernelDatabase>, actor: SignedInActor, orgId: string, projectId: string, orgRole: Role): Promise<Role> {
  // A token an OAuth grant narrowed to some projects: the others do not exist for it.
  if (!grantReaches(actor, projectId)) throw notFound("Project not found.");
  // Projects are tenant rows: the guard's transaction is already under the org's scope.
  const role = await kernel.tenancy.memberProjectRoleOf(actor.userId, orgId, projectId, trx, orgRole);
  if (!role) throw notFound("Project not found.");
  return role;
}

/**
 * A procedure acting inside one org that needs every capability given (usually one:
 * `capabilityProcedure(noteWrite)`; `capabilityProcedure(a, b)` needs both). The input gains
 * `orgId`; the context gains `org: { id, role }`, a signed-in `actor`, a scoped `db` and `audit`.
 *
 * 401 when not signed in; 403 when a token lacks the scope (before any lookup); 404 when the
 * org does not exist *or* the caller is not a member (so orgs cannot be enumerated) or a token
 * is bound to another org; 403 when a member lacks a capability.
 */
export function capabilityProcedure(...capabilities: Capabilities) {
  return baseProcedure
    .meta(capabilityMeta(capabilities))
    .input(z.object({ orgId: orgIdSchema }))
    .use(({ ctx, input, type, path, getRawInput, meta, next }) =>
      runOrgGuarded(
        { ctx, type, path, orgId: input.orgId, getRawInput, meta },
        async (trx, actor) => {
          const role = await orgRoleOrNotFound(ctx.kernel, trx, actor, input.orgId);
          requireCapabilities(ctx.kernel, role, capabilities, "Your role");
          return role;
        },
        ({ actor, db, audit, resolved: role }) => next({ ctx: { actor, db, audit, org: { id: input.orgId, role } } }),
      ),
    );
}

/**
 * A procedure acting on one project that needs every capability given there. The input gains
 * `orgId` and `projectId`; the context gains `org: { id, role }` (the org role) and
 * `project: { id, role }`, the role that was checked: the member's project override, else their
 * org role, never below an owner's or admin's org role (`effectiveProjectRole`). A project that
 * is not in the org, deleted, or invisible answers 404 like the org itself.
 */
export function projectCapabilityProcedure(...capabilities: Capabilities) {
  return baseProcedure
    .meta(capabilityMeta(capabilities))
    .input(z.object({ orgId: orgIdSchema, projectId: projectIdSchema }))
    .use(({ ctx, input, type, path, getRawInput, meta, next }) =>
      runOrgGuarded(
        { ctx, type, path, orgId: input.orgId, getRawInput, meta },
        async (trx, actor) => {
          const orgRole = await orgRoleOrNotFound(ctx.kernel, trx, actor, input.orgId);
          const role = await projectRoleOrNotFound(ctx.kernel, trx, actor, input.orgId, input.projectId, orgRole);
          requireCapabilities(ctx.kernel, role, capabilities, "Your role in this project");
          return { orgRole, role };
        },
        ({ actor, db, audit, resolved }) =>
          next({ ctx: { actor, db, audit, org: { id: input.orgId, role: resolved.orgRole }, project: { id: input.projectId, role: resolved.role } } }),
      ),
    );
}

/**
 * A procedure that works org-wide or in one project: the input gains `orgId` and an optional
 * `projectId` (absent or null: the org). Without a project the org role must hold every
 * capability, as for `capabilityProcedure`; with one, the project role must, as for
 * `projectCapabilityProcedure` (404 for a project the caller may not see). The context gains
 * `org: { id, role }`, `project: { id, role } | null`, and `role`, the role that was checked.
 */
export function optionalProjectCapabilityProcedure(...capabilities: Capabilities) {
  return baseProcedure
    .meta(capabilityMeta(capabilities))
    .input(z.object({ orgId: orgIdSchema, projectId: projectIdSchema.nullish() }))
    .use(({ ctx, input, type, path, getRawInput, meta, next }) =>
      runOrgGuarded(
        { ctx, type, path, orgId: input.orgId, getRawInput, meta },
        async (trx, actor) => {
          const orgRole = await orgRoleOrNotFound(ctx.kernel, trx, actor, input.orgId);
          if (!input.projectId) {
            requireCapabilities(ctx.kernel, orgRole, capabilities, "Your role");
            return { orgRole, project: null };
          }
          const role = await projectRoleOrNotFound(ctx.kernel, trx, actor, input.orgId, input.projectId, orgRole);
          requireCapabilities(ctx.kernel, role, capabilities, "Your role in this project");
          return { orgRole, project: { id: input.projectId, role } };
        },
        ({ actor, db, audit, resolved }) =>
          next({
            ctx: {
              actor,
              db,
              audit,
              org: { id: input.orgId, role: resolved.orgRole },
              project: resolved.project,
              role: resolved.project?.role ?? resolved.orgRole,
            },
          }),
      ),
    );
}

/** The grant resolvers of the installed plugins (src/kernel/grants.ts). */
function grantResolvers(kernel: Kernel): GrantResolver[] {
  return kernel.plugins.flatMap((p) => (p.grants ? [p.grants] : []));
}

/** The resource key a grantable procedure names in its raw input (a short string), or null. */
function grantKeyOf(raw: unknown, key: string | undefined): string | null {
  if (!key || !raw || typeof raw !== "object") return null;
  const value = (raw as Record<string, unknown>)[key];
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : null;
}

/**
 * Like `projectCapabilityProcedure`, but the project (or the one resource the input names) may
 * also be reached through a grant a plugin keeps (sharing): a person the project's membership
 * does not reach, or reaches with too little, gets the higher of their project role and the
 * role their grants give on `grantable.resource` identified by `input[grantable.key]` (or on
 * the whole project). Without either, 404 as for any invisible project. The context gains
 * `org: { id, role }` (the org role, null for someone who is not a member), `project: { id,
 * role }` (the role that was checked) and `grant` (the granted role when it was needed).
 *
 * Only procedures that act on exactly the resource their input names (or on the project, for
 * a whole-project grant) may use it: the grant is resolved for that key alone.
 */
export function grantableProjectProcedure(grantable: Grantable, ...capabilities: Capabilities) {
  return baseProcedure
    .meta(Object.assign(capabilityMeta(capabilities), { grantable }))
    .input(z.object({ orgId: orgIdSchema, projectId: projectIdSchema }))
    .use(({ ctx, input, type, path, getRawInput, meta, next }) =>
      runOrgGuarded(
        { ctx, type, path, orgId: input.orgId, getRawInput, meta },
        async (trx, actor) => {
          const kernel = ctx.kernel;
          // A token an OAuth grant narrowed to some projects: the others do not exist for it,
          // whether reached by membership or by a share.
          if (!grantReaches(actor, input.projectId)) throw notFound("Project not found.");
          // The transaction is already under the org's scope (sent with BEGIN); the roles
          // usually come from the instance's cache.
          const orgRole = await kernel.tenancy.memberRoleOf(actor.userId, input.orgId, trx);
          const memberRole = orgRole ? await kernel.tenancy.memberProjectRoleOf(actor.userId, input.orgId, input.projectId, trx, orgRole) : null;
          const allows = (role: Role) => capabilities.every((c) => kernel.capabilities.allows(role, c.id));
          let grant: Role | null = null;
          if (!memberRole || !allows(memberRole)) {
            const project = await trx
              .selectFrom("projects")
              .select("id")
              .where("id", "=", input.projectId)
              .where("org_id", "=", input.orgId)
              .where("deleted_at", "is", null)
              .executeTakeFirst();
            if (project) {
              const key = grantKeyOf(await getRawInput(), grantable.key);
              grant = await grantedRole(grantResolvers(kernel), trx, { userId: actor.userId, orgId: input.orgId, projectId: input.projectId, resource: grantable.resource, key });
            }
          }
          const role = higherRole(memberRole, grant);
          if (!role) throw notFound(orgRole ? "Project not found." : "Organization not found.");
          requireCapabilities(kernel, role, capabilities, memberRole === role ? "Your role in this project" : "Your shared access");
          return { orgRole, role, grant: memberRole === role ? null : grant };
        },
        ({ actor, db, audit, resolved }) =>
          next({
            ctx: { actor, db, audit, org: { id: input.orgId, role: resolved.orgRole }, project: { id: input.projectId, role: resolved.role }, grant: resolved.grant },
          }),
      ),
    );
}

/** The grant listers of the installed plugins (src/kernel/grants.ts). */
function grantListers(kernel: Pick<Kernel, "plugins">): GrantLister[] {
  return kernel.plugins.flatMap((p) => (p.grantsHeld ? [p.grantsHeld] : []));
}

/**
 * The grants a caller holds in an org whose role holds every capability given, in projects the
 * caller may reach (a token narrowed to some projects keeps only those). `db` is under the org's scope.
 */
export async function grantsHeldFor(
  kernel: Pick<Kernel, "plugins" | "capabilities">,
  db: Kysely<KernelDatabase>,
  actor: { userId: string } | SignedInActor,
  orgId: string,
  capabilities: readonly Capability[],
): Promise<HeldGrant[]> {
  const listers = grantListers(kernel);
  if (!listers.length) return [];
  const held = await grantsHeld(listers, db, { userId: actor.userId, orgId });
  return held.filter((g) => grantReaches(actor, g.projectId) && capabilities.every((c) => kernel.capabilities.allows(g.role, c.id)));
}

/**
 * The orgs (not deleted) where a person holds a live grant but is not a member, by name: the
 * choices a screen outside any org (an MCP client's consent) adds to the person's own orgs. `db`
 * is the caller's transaction under the person's scope with no org; it is left that way.
 */
export async function orgsReachedByGrants(
  kernel: Pick<Kernel, "plugins" | "tenancy">,
  db: Kysely<KernelDatabase>,
  userId: string,
): Promise<Array<{ id: string; slug: string; name: string }>> {
  const listers = kernel.plugins.flatMap((p) => (p.grantOrgs ? [p.grantOrgs] : []));
  const candidates = new Set<string>();
  for (const list of listers) for (const orgId of await list(db, userId)) candidates.add(orgId);
  const reached: Array<{ id: string; slug: string; name: string }> = [];
  try {
    for (const orgId of candidates) {
      await applyScope(db, { userId, orgId });
      if (await kernel.tenancy.memberRoleOf(userId, orgId, db)) continue;
      if (!(await grantsHeld(grantListers(kernel), db, { userId, orgId })).length) continue;
      const org = await db.selectFrom("orgs").select(["id", "slug", "name"]).where("id", "=", orgId).where("deleted_at", "is", null).executeTakeFirst();
      if (org) reached.push(org);
    }
  } finally {
    await applyScope(db, { userId, orgId: null });
  }
  return reached.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * An org-wide procedure (a list, a search) that reaches a person by their membership or by the
 * grants they hold in the org (sharing): someone whose only access is a shared dashboard may
 * search and list, and sees what was shared. The input gains `orgId`; the context gains
 * `org: { id, role }` (role null for someone who is not a member) and `grants`, the grants
 * whose role holds every capability given. Build what the caller sees with
 * `reachCondition(ctx, cap, resource, columns)`, never from `org` alone.
 *
 * 404 for someone neither a member nor holding such a grant (orgs cannot be enumerated); 403
 * for a member whose role lacks a capability and who holds no such grant.
 */
export function grantableOrgProcedure(...capabilities: Capabilities) {
  return baseProcedure
    .meta(Object.assign(capabilityMeta(capabilities), { grantableOrg: true as const }))
    .input(z.object({ orgId: orgIdSchema }))
    .use(({ ctx, input, type, path, getRawInput, meta, next }) =>
      runOrgGuarded(
        { ctx, type, path, orgId: input.orgId, getRawInput, meta },
        async (trx, actor) => {
          const orgRole = await ctx.kernel.tenancy.memberRoleOf(actor.userId, input.orgId, trx);
          const grants = await grantsHeldFor(ctx.kernel, trx, actor, input.orgId, capabilities);
          if (!grants.length) {
            if (!orgRole) throw notFound("Organization not found.");
            requireCapabilities(ctx.kernel, orgRole, capabilities, "Your role");
          }
          return { orgRole, grants };
        },
        ({ actor, db, audit, resolved }) => next({ ctx: { actor, db, audit, org: { id: input.orgId, role: resolved.orgRole }, grants: resolved.grants } }),
      ),
    );
}

/**
 * The role a `grantableOrgProcedure`'s caller acts with in the org (`projectId` null) or in one
 * project: their membership's when it holds every capability given, else the highest role their
 * grants there give (a grant on one dashboard counts for its project). 404 for a project (or org)
 * neither reaches; 403 for a member whose role lacks a capability and who holds no grant there.
 */
export async function roleWithinReach(
  ctx: { kernel: Pick<Kernel, "capabilities" | "tenancy">; db: Kysely<KernelDatabase>; actor: { userId: string } | SignedInActor; org: { id: string; role: Role | null }; grants: readonly HeldGrant[] },
  projectId: string | null,
  capabilities: Capabilities,
): Promise<Role> {
  let member = ctx.org.role;
  if (projectId && member) {
    member = grantReaches(ctx.actor, projectId) ? await ctx.kernel.tenancy.projectRoleOf(ctx.actor.userId, ctx.org.id, projectId, ctx.db, member) : null;
  }
  if (member && capabilities.every((c) => ctx.kernel.capabilities.allows(member!, c.id))) return member;
  let granted: Role | null = null;
  for (const grant of ctx.grants) if (!projectId || grant.projectId === projectId) granted = higherRole(granted, grant.role);
  if (granted && projectId) {
    const live = await ctx.db.selectFrom("projects").select("id").where("id", "=", projectId).where("org_id", "=", ctx.org.id).where("deleted_at", "is", null).executeTakeFirst();
    if (!live) granted = null;
  }
  if (granted) {
    requireCapabilities(ctx.kernel, granted, capabilities, "Your shared access");
    return granted;
  }
  if (member) requireCapabilities(ctx.kernel, member, capabilities, projectId ? "Your role in this project" : "Your role");
  throw notFound(projectId ? "Project not found." : "Organization not found.");
}

/**
 * The live projects of the caller's org where their project role holds every capability given,
 * with that role, by name (one query; archived projects included unless asked otherwise). For
 * org-wide procedures that show or search across projects: a project override that withholds
 * the capability hides the project, one that grants it adds the project.
 */
export async function projectsWhereCan(
  ctx: { kernel: Pick<Kernel, "capabilities" | "tenancy">; db: Kysely<KernelDatabase>; actor: { userId: string } | SignedInActor; org: { id: string; role: Role } },
  capabilities: Capability | Capabilities,
  options: { includeArchived?: boolean } = {},
): Promise<ProjectWithRole[]> {
  const needed = Array.isArray(capabilities) ? (capabilities as Capabilities) : [capabilities as Capability];
  const projects = await ctx.kernel.tenancy.projectsWhere(
    ctx.db,
    { userId: ctx.actor.userId, orgId: ctx.org.id, orgRole: ctx.org.role },
    (role) => needed.every((c) => ctx.kernel.capabilities.allows(role, c.id)),
    options,
  );
  return projects.filter((project) => grantReaches(ctx.actor, project.id));
}

/**
 * `projectsWhereCan` as a condition on a project id column (`n.project_id`), checked row by row
 * (`Tenancy.projectAllows`), a token narrowed to some projects kept to them: for org-wide reads
 * that walk their own rows, so that they cost the same in an org of 10 projects or 1,000 (ADR 047).
 */
export function projectCanCondition(
  ctx: { kernel: Pick<Kernel, "capabilities" | "tenancy">; actor: { userId: string } | SignedInActor; org: { id: string; role: Role } },
  capabilities: Capability | Capabilities,
  projectIdColumn: string,
): Expression<SqlBool> {
  const needed = Array.isArray(capabilities) ? (capabilities as Capabilities) : [capabilities as Capability];
  const condition = ctx.kernel.tenancy.projectAllows(
    { userId: ctx.actor.userId, orgId: ctx.org.id, orgRole: ctx.org.role },
    (role) => needed.every((c) => ctx.kernel.capabilities.allows(role, c.id)),
    projectIdColumn,
  );
  const actor = ctx.actor;
  if (!("kind" in actor) || actor.kind !== "token" || !actor.projectIds) return condition;
  if (!actor.projectIds.length) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${condition} and ${sql.ref(projectIdColumn)} in (${sql.join(actor.projectIds)}))`;
}

/**
 * What a `grantableOrgProcedure`'s caller reaches, as a condition on a resource's rows (a
 * dashboard's project id and id columns), checked row by row: the caller's membership
 * (`projectCanCondition`), the projects their grants reach whole, and the single resources of
 * type `resource` shared with them (the grants in `ctx.grants` already hold the capabilities).
 * That the project is live, and not archived when that matters, is the query's to check: it
 * joins the project for its name. An org-wide read then costs the same in an org of 10
 * projects or 1,000 (ADR 047).
 */
export function reachCondition(
  ctx: { kernel: Pick<Kernel, "capabilities" | "tenancy">; actor: { userId: string } | SignedInActor; org: { id: string; role: Role | null }; grants: readonly HeldGrant[] },
  capabilities: Capability | Capabilities,
  resource: string,
  columns: { projectId: string; id: string },
): Expression<SqlBool> {
  const parts: Array<Expression<SqlBool>> = [];
  const orgRole = ctx.org.role;
  if (orgRole) parts.push(projectCanCondition({ kernel: ctx.kernel, actor: ctx.actor, org: { id: ctx.org.id, role: orgRole } }, capabilities, columns.projectId));
  const wholeProjects = [...new Set(ctx.grants.filter((g) => g.resource === null).map((g) => g.projectId))];
  const shared = [...new Set(ctx.grants.flatMap((g) => (g.resource === resource && g.resourceId !== null ? [g.resourceId] : [])))];
  if (wholeProjects.length) parts.push(sql<SqlBool>`${sql.ref(columns.projectId)} in (${sql.join(wholeProjects)})`);
  if (shared.length) parts.push(sql<SqlBool>`${sql.ref(columns.id)} in (${sql.join(shared)})`);
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`false`;
}

/** Whether a caller may reach a project at all: false only for a token narrowed to other projects. */
export function grantReaches(actor: { userId: string } | SignedInActor, projectId: string): boolean {
  return !("kind" in actor) || actor.kind !== "token" || !actor.projectIds || actor.projectIds.includes(projectId);
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

/** Every capability a procedure's metadata asks for (none for public and signed-in procedures). */
export function capabilitiesOf(meta: ProcedureMeta): string[] {
  return meta.capabilities ?? (meta.capability ? [meta.capability] : []);
}

/**
 * Problems with procedure access declarations: any procedure that is neither public nor
 * guarded by a registered capability. The kernel refuses to boot when this is non-empty.
 */
export function accessProblems(router: AnyRouter, isRegistered: (capabilityId: string) => boolean): string[] {
  const problems: string[] = [];
  for (const { path, meta } of proceduresOf(router)) {
    if (meta.access && meta.capability) {
      problems.push(`${path}: declares both ${meta.access} access and capability "${meta.capability}"`);
    } else if (meta.capability) {
      for (const id of capabilitiesOf(meta)) {
        if (!isRegistered(id)) problems.push(`${path}: capability "${id}" is not declared by any installed plugin`);
      }
    } else if (meta.access !== "public" && meta.access !== "signed-in") {
      problems.push(`${path}: declares neither a capability (capabilityProcedure) nor public access (publicProcedure, userProcedure)`);
    }
  }
  return problems;
}
