/**
 * `mcpOauth.*`: the consent screen's procedures (a person at a browser decides what an MCP
 * client may do: which org, which scopes, which projects), the person's connected apps, every
 * agent connection of an org for its admins, and the org's "AI agents allowed" setting.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { fieldError, notFound } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import { hitRateLimit } from "~/kernel/rate-limit";
import { safeString } from "~/kernel/schemas";
import { applyScope } from "~/kernel/scope";
import { orgView } from "~/kernel/tenancy/capabilities";
import type { Role } from "~/kernel/db/schema";
import { capabilityProcedure, createTRPCRouter, grantsHeldFor, orgsReachedByGrants, sessionProcedure } from "~/kernel/trpc";
import { agentsManage } from "./capabilities";
import { clientOrigin } from "./clients";
import { approveDevice, denyDevice, pendingDevice } from "./device";
import { normalizeUserCode } from "./secrets";
import { publishAgentUsage } from "./usage";
import { agentsAllowedIn, approveRequest, pendingRequest, redirectWith, revokeGrant, SCOPES } from "./service";
import { mcpOauthSettings } from "./settings";
import { mcpOauthDb, type AgentsAllowed, type McpOauthDb } from "./tables";

const requestId = z.string().regex(/^mcpq_[a-z2-7]{32}$/, "Not an authorization request id");
const scopesSchema = z.array(z.enum(["read", "write"])).min(1, "Grant at least the read scope").max(2);
const agentsSchema = z.enum(["off", "read", "write"]);

async function agentsSetting(db: McpOauthDb, orgId: string): Promise<AgentsAllowed> {
  const row = await db.selectFrom("mcp_oauth_org_settings").select("agents").where("org_id", "=", orgId).executeTakeFirst();
  return row?.agents ?? "write";
}

async function requestOrNotFound(db: McpOauthDb, id: string) {
  const request = await pendingRequest(db, id);
  if (!request) throw notFound("This authorization request has expired or was already answered. Start again from the app.");
  return request;
}

/** Grants joined with their client and person, for the two lists. */
function grantsQuery(db: McpOauthDb) {
  return db
    .selectFrom("mcp_oauth_grants as g")
    .innerJoin("mcp_oauth_clients as c", "c.id", "g.client_pk")
    .innerJoin("users as u", "u.id", "g.user_id")
    .select([
      "g.id",
      "g.org_id as orgId",
      "g.scopes",
      "g.project_ids as projectIds",
      "g.created_at as createdAt",
      "g.last_used_at as lastUsedAt",
      "g.calls",
      "c.client_name as clientName",
      "c.client_id as clientId",
      "c.kind as clientKind",
      "c.redirect_uris as redirectUris",
      "u.email as personEmail",
      "u.name as personName",
    ])
    .where("g.revoked_at", "is", null)
    .orderBy("g.created_at", "desc");
}

type GrantListRow = Awaited<ReturnType<ReturnType<typeof grantsQuery>["execute"]>>[number];

/** Names the projects of each grant (looked up in each org's scope) and shapes a row for the UI. */
async function describeGrants(kernel: Kernel, userId: string, rows: GrantListRow[]) {
  const names = new Map<string, string>();
  const orgNames = new Map<string, string>();
  for (const orgId of new Set(rows.map((r) => r.orgId))) {
    await kernel.withScope({ userId, orgId }, async (trx) => {
      const org = await trx.selectFrom("orgs").select("name").where("id", "=", orgId).executeTakeFirst();
      if (org) orgNames.set(orgId, org.name);
      const ids = rows.filter((r) => r.orgId === orgId).flatMap((r) => r.projectIds ?? []);
      if (ids.length) for (const p of await trx.selectFrom("projects").select(["id", "name"]).where("id", "in", ids).execute()) names.set(p.id, p.name);
    });
  }
  return rows.map((r) => ({
    id: r.id,
    orgId: r.orgId,
    orgName: orgNames.get(r.orgId) ?? "",
    client: { name: r.clientName, origin: clientOrigin({ kind: r.clientKind, client_id: r.clientId, redirect_uris: r.redirectUris }) },
    person: { email: r.personEmail, name: r.personName },
    scopes: r.scopes,
    projects: r.projectIds === null ? null : r.projectIds.map((id) => ({ id, name: names.get(id) ?? "(deleted project)" })),
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    calls: Number(r.calls),
  }));
}

/**
 * The person's orgs, each with its "AI agents allowed" setting (the consent screens' choice),
 * then the orgs where a share is their only access (`shared`: a connection there reaches only
 * what is shared with them; role null).
 */
async function orgsToChooseFrom(ctx: SessionCtx) {
  const { db, actor } = ctx;
  const orgs = await db
    .selectFrom("memberships")
    .innerJoin("orgs", "orgs.id", "memberships.org_id")
    .select(["orgs.id", "orgs.slug", "orgs.name", "memberships.role"])
    .where("memberships.user_id", "=", actor.userId)
    .where("orgs.deleted_at", "is", null)
    .orderBy("orgs.name")
    .execute();
  const withSettings: Array<{ id: string; slug: string; name: string; role: Role | null; shared: boolean; agents: Awaited<ReturnType<typeof agentsAllowedIn>> }> = [];
  for (const org of orgs) withSettings.push({ ...org, shared: false, agents: await agentsAllowedIn(db, org.id) });
  for (const org of await orgsReachedByGrants(ctx.kernel, db, actor.userId)) withSettings.push({ ...org, role: null, shared: true, agents: await agentsAllowedIn(db, org.id) });
  return withSettings;
}

type SessionCtx = { db: Kernel["db"]; kernel: Kernel; actor: { userId: string } };

/**
 * A consent decision checked against the org (a member: else 404), its agent setting and the
 * server flag (write only where agents may write), and the projects the person can see. Scopes
 * the tenant scope to the org, so what follows writes as it.
 */
async function checkDecision(ctx: SessionCtx, input: { orgId: string; scopes: Array<"read" | "write">; projectIds: string[] | null }) {
  const role = await ctx.kernel.tenancy.roleOf(ctx.actor.userId, input.orgId, ctx.db);
  await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: input.orgId });
  // Someone whose only access is a share connects too: the connection reaches what is shared.
  const shared = role ? [] : await grantsHeldFor(ctx.kernel, ctx.db, ctx.actor, input.orgId, []);
  if (!role && !shared.length) throw notFound("Organization not found.");
  const scopes = SCOPES.filter((s) => input.scopes.includes(s));
  const agents = await agentsSetting(mcpOauthDb(ctx.db), input.orgId);
  if (agents === "off") throw new TRPCError({ code: "FORBIDDEN", message: "AI agents are turned off in this organization; an admin can allow them in its settings." });
  if (scopes.includes("write") && (agents === "read" || mcpOauthSettings(ctx.kernel).agentsReadOnly)) {
    throw fieldError("FORBIDDEN", "scopes", "Agents are read-only here: grant the read scope only.");
  }
  if (input.projectIds) {
    const visible = new Set(
      role ? (await ctx.kernel.tenancy.projectsWhere(ctx.db, { userId: ctx.actor.userId, orgId: input.orgId, orgRole: role }, () => true)).map((p) => p.id) : shared.map((g) => g.projectId),
    );
    const unknown = input.projectIds.find((id) => !visible.has(id));
    if (unknown) throw fieldError("UNPROCESSABLE_CONTENT", "projectIds", "One of the chosen projects does not exist or you cannot see it.");
  }
  return { userId: ctx.actor.userId, orgId: input.orgId, scopes, projectIds: input.projectIds ? [...new Set(input.projectIds)] : null };
}

const userCode = safeString().trim().min(1, "Enter the code shown by the app").max(20, "A code is 8 letters (XXXX-XXXX)");

/**
 * Guessing user codes is rate limited (counted outside the procedure's transaction, so a
 * refused guess still counts): 20 codes in 10 minutes per person, 100 per address. A code has
 * about 34 bits and lives 10 minutes, so guessing one is hopeless.
 */
async function limitCodeGuesses(ctx: SessionCtx & { ip: string | null }): Promise<void> {
  const scale = ctx.kernel.config.rateLimitScale;
  const limits: Array<[string, number]> = [[`oauth:user-code:user:${ctx.actor.userId}`, 20], ...(ctx.ip ? [[`oauth:user-code:ip:${ctx.ip}`, 100] as [string, number]] : [])];
  for (const [key, limit] of limits) {
    const hit = await hitRateLimit(ctx.kernel.db, key, limit * scale, 600);
    if (!hit.allowed) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many codes tried; try again in ${Math.ceil(hit.retryAfterSeconds / 60)} min.` });
  }
}

async function deviceOrNotFound(ctx: SessionCtx & { ip: string | null }, typed: string) {
  await limitCodeGuesses(ctx);
  if (!normalizeUserCode(typed)) throw fieldError("UNPROCESSABLE_CONTENT", "userCode", "A code is 8 letters, like BCDF-GHJK (no vowels, no digits).");
  const device = await pendingDevice(mcpOauthDb(ctx.db), ctx.kernel.secret, typed);
  if (!device) throw notFound("This code is unknown, has expired or was already used. Check it, or start again in the app.");
  return device;
}

export const mcpOauthRouter = createTRPCRouter({
  consent: createTRPCRouter({
    /** What the consent screen shows: the client, what it asked for, and the person's orgs. */
    get: sessionProcedure.input(z.object({ requestId })).query(async ({ ctx, input }) => {
      const db = mcpOauthDb(ctx.db);
      const request = await requestOrNotFound(db, input.requestId);
      return {
        client: { name: request.client_name, origin: clientOrigin(request), kind: request.kind, redirectUri: request.redirect_uri as string | null },
        requestedScopes: request.scopes,
        orgs: await orgsToChooseFrom(ctx),
        serverReadOnly: mcpOauthSettings(ctx.kernel).agentsReadOnly,
        expiresAt: request.expires_at,
      };
    }),

    /** The person approves: a grant for one org, the scopes and projects they chose; answers where to send the browser. */
    approve: sessionProcedure
      .input(z.object({ requestId, orgId: z.uuid(), scopes: scopesSchema, projectIds: z.array(z.uuid()).min(1, "Choose at least one project, or all of them").max(200).nullable() }))
      .mutation(async ({ ctx, input }) => {
        const db = mcpOauthDb(ctx.db);
        const request = await requestOrNotFound(db, input.requestId);
        const decision = await checkDecision(ctx, input);
        // One transaction: the grant, its code and the audit entry exist together or not at all.
        const granted = await approveRequest(mcpOauthDb(ctx.db), request, decision);
        const scopes = decision.scopes;
        await ctx.audit({
          action: "mcp-oauth.grant",
          orgId: input.orgId,
          target: { type: "agent-connection", id: granted.grantId },
          data: { client: request.client_name, scopes, projects: input.projectIds?.length ?? "all" },
        });
        return { redirectTo: redirectWith(request.redirect_uri, { code: granted.code, state: request.state, iss: ctx.kernel.config.publicUrl }) };
      }),

    /** The person declines: the client hears access_denied. */
    deny: sessionProcedure.input(z.object({ requestId })).mutation(async ({ ctx, input }) => {
      const db = mcpOauthDb(ctx.db);
      const request = await requestOrNotFound(db, input.requestId);
      await db.deleteFrom("mcp_oauth_requests").where("id", "=", request.id).execute();
      await ctx.audit({ action: "mcp-oauth.deny", orgId: null, data: { client: request.client_name } });
      return { redirectTo: redirectWith(request.redirect_uri, { error: "access_denied", error_description: "The person declined.", state: request.state, iss: ctx.kernel.config.publicUrl }) };
    }),
  }),

  /** RFC 8628: the person enters the code their device (the CLI) shows, then decides as on the consent screen. */
  device: createTRPCRouter({
    /** What the code's device asks for, and the person's orgs. */
    get: sessionProcedure.input(z.object({ userCode })).query(async ({ ctx, input }) => {
      const device = await deviceOrNotFound(ctx, input.userCode);
      return {
        client: { name: device.client_name, origin: clientOrigin(device), kind: device.kind, redirectUri: null as string | null },
        requestedScopes: device.scopes,
        orgs: await orgsToChooseFrom(ctx),
        serverReadOnly: mcpOauthSettings(ctx.kernel).agentsReadOnly,
        expiresAt: device.expires_at,
      };
    }),

    /** The person approves the device: a grant for one org, the scopes and projects they chose. */
    approve: sessionProcedure
      .input(z.object({ userCode, orgId: z.uuid(), scopes: scopesSchema, projectIds: z.array(z.uuid()).min(1, "Choose at least one project, or all of them").max(200).nullable() }))
      .mutation(async ({ ctx, input }) => {
        const device = await deviceOrNotFound(ctx, input.userCode);
        const decision = await checkDecision(ctx, input);
        const grantId = await approveDevice(mcpOauthDb(ctx.db), device, decision);
        await ctx.audit({
          action: "mcp-oauth.grant",
          orgId: input.orgId,
          target: { type: "agent-connection", id: grantId },
          data: { client: device.client_name, scopes: decision.scopes, projects: input.projectIds?.length ?? "all", flow: "device" },
        });
        return { ok: true, client: device.client_name };
      }),

    /** The person declines: the device hears access_denied. */
    deny: sessionProcedure.input(z.object({ userCode })).mutation(async ({ ctx, input }) => {
      const device = await deviceOrNotFound(ctx, input.userCode);
      await denyDevice(mcpOauthDb(ctx.db), device);
      await ctx.audit({ action: "mcp-oauth.deny", orgId: null, data: { client: device.client_name, flow: "device" } });
      return { ok: true };
    }),
  }),

  connections: createTRPCRouter({
    /** The person's connected apps, in every org. */
    mine: sessionProcedure.query(async ({ ctx }) => {
      const rows = await grantsQuery(mcpOauthDb(ctx.db)).where("g.user_id", "=", ctx.actor.userId).execute();
      return describeGrants(ctx.kernel, ctx.actor.userId, rows);
    }),

    /** Disconnects one of the person's apps: every token it holds stops working at once. */
    revokeMine: sessionProcedure.input(z.object({ grantId: z.uuid() })).mutation(async ({ ctx, input }) => {
      const db = mcpOauthDb(ctx.db);
      const grant = await db.selectFrom("mcp_oauth_grants").select(["id", "org_id"]).where("id", "=", input.grantId).where("user_id", "=", ctx.actor.userId).where("revoked_at", "is", null).executeTakeFirst();
      if (!grant) throw notFound("Connection not found.");
      await revokeGrant(ctx.db, grant.id, "revoked by its person");
      // The audit entry belongs to the grant's org.
      await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: grant.org_id });
      await ctx.audit({ action: "mcp-oauth.revoke", orgId: grant.org_id, target: { type: "agent-connection", id: grant.id } });
      return { ok: true };
    }),

    /** Every agent connection in the org, for its admins. */
    org: capabilityProcedure(agentsManage).query(async ({ ctx }) => {
      const rows = await grantsQuery(mcpOauthDb(ctx.db)).where("g.org_id", "=", ctx.org.id).execute();
      return describeGrants(ctx.kernel, ctx.actor.userId, rows);
    }),

    /** An admin disconnects any agent in the org. */
    revoke: capabilityProcedure(agentsManage)
      .input(z.object({ grantId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        const db = mcpOauthDb(ctx.db);
        const grant = await db.selectFrom("mcp_oauth_grants").select("id").where("id", "=", input.grantId).where("org_id", "=", ctx.org.id).where("revoked_at", "is", null).executeTakeFirst();
        if (!grant) throw notFound("Connection not found.");
        await revokeGrant(ctx.db, grant.id, "revoked by an organization admin");
        await ctx.audit({ action: "mcp-oauth.revoke", target: { type: "agent-connection", id: grant.id } });
        return { ok: true };
      }),
  }),

  usage: createTRPCRouter({
    /**
     * Refreshes the org's agent usage (the audit log's tool calls, as the warehouse table
     * atrium_agent_usage) and saves the "AI agent usage" dashboard in the chosen project;
     * answers where it is.
     */
    publish: capabilityProcedure(agentsManage)
      .meta({ cost: "expensive" })
      .input(z.object({ projectId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        const project = await ctx.db
          .selectFrom("projects")
          .innerJoin("orgs", "orgs.id", "projects.org_id")
          .select(["projects.id", "projects.slug", "orgs.slug as orgSlug"])
          .where("projects.id", "=", input.projectId)
          .where("projects.org_id", "=", ctx.org.id)
          .where("projects.archived_at", "is", null)
          .where("projects.deleted_at", "is", null)
          .executeTakeFirst();
        if (!project) throw notFound("Project not found.");
        const published = await publishAgentUsage(ctx.kernel, ctx.db, { orgId: ctx.org.id, projectId: project.id, userId: ctx.actor.userId });
        await ctx.audit({ action: "mcp-oauth.usage.publish", target: { type: "dashboard", id: published.slug }, data: { projectId: project.id, rows: published.rows } });
        return { href: `/o/${project.orgSlug}/p/${project.slug}/d/${published.slug}`, calls: published.calls };
      }),
  }),

  settings: createTRPCRouter({
    /** Whether AI agents may act in this org: off, read (read-only) or write. */
    get: capabilityProcedure(orgView).query(async ({ ctx }) => ({
      agents: await agentsSetting(mcpOauthDb(ctx.db), ctx.org.id),
      serverReadOnly: mcpOauthSettings(ctx.kernel).agentsReadOnly,
    })),

    update: capabilityProcedure(agentsManage)
      .input(z.object({ agents: agentsSchema }))
      .mutation(async ({ ctx, input }) => {
        await mcpOauthDb(ctx.db)
          .insertInto("mcp_oauth_org_settings")
          .values({ org_id: ctx.org.id, agents: input.agents, updated_by: ctx.actor.userId })
          .onConflict((oc) => oc.column("org_id").doUpdateSet({ agents: input.agents, updated_at: new Date(), updated_by: ctx.actor.userId }))
          .execute();
        await ctx.audit({ action: "mcp-oauth.settings.update", target: { type: "org", id: ctx.org.id }, data: { agents: input.agents } });
        return { agents: input.agents };
      }),
  }),
});
