/**
 * `auth.*`: who am I, sign out, my profile, my sessions and my personal access tokens.
 * Sign-in itself belongs to the provider plugins (auth-password, auth-oidc, …).
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { z } from "zod";
import { endSession } from "../auth/sign-in";
import { invalidateAllSessions, MAX_LIVE_SESSIONS } from "../auth/session";
import { ENDED_TOKEN_LISTED_DAYS, generateApiToken, hashApiToken, MAX_LIVE_TOKENS } from "../auth/tokens";
import { lockForTransaction } from "../db/locks";
import { fieldError } from "../errors";
import { tokenCreate } from "../tenancy/capabilities";
import { nameSchema, roleSchema } from "../tenancy/service";
import { createTRPCRouter, grantableOrgProcedure, orgsReachedByGrants, publicProcedure, sessionProcedure } from "../trpc";
import { applyScope } from "../scope";
import { safeString } from "../schemas";

/** Tokens `auth.tokens.list` answers with at most: every live one (at most {@link MAX_LIVE_TOKENS}) and the latest ended ones. */
export const TOKENS_LISTED = 200;

/**
 * When a token stopped working: revoked or expired, whichever came first (LEAST skips nulls);
 * infinity while it works. Written exactly as `api_tokens_user_ended_idx` indexes it
 * (db/migrations/2026-12-12-001), so the list and the count read only the tokens they answer
 * with, not every one ever made. Not COALESCE: under row-level security only leakproof
 * expressions become index conditions, and PostgreSQL counts COALESCE as not leakproof.
 */
const tokenEndedAt = sql<Date>`least(api_tokens.revoked_at, api_tokens.expires_at, 'infinity'::timestamptz)`;

const orgRoleOutput = z.looseObject({ id: z.uuid(), slug: z.string(), name: z.string(), role: roleSchema }).meta({ id: "OrgWithRole" });

/** `auth.me`: null for a caller who is not signed in (never for a token). */
const meOutput = z
  .looseObject({ id: z.uuid(), email: z.string(), name: z.string(), emailVerified: z.boolean(), orgs: z.array(orgRoleOutput) })
  .nullable()
  .meta({ id: "Me" });

export const authRouter = createTRPCRouter({
  /** The signed-in person and their orgs, or null. A token sees only its own org. */
  me: publicProcedure
    .meta({
      mcp: { name: "whoami", description: "Who the agent acts for: the user, and the organizations (with roles) it can reach.", readOnly: true },
      openapi: { method: "GET", path: "/me", summary: "Who the token acts for: the person, and the organizations (with roles) it reaches (a token: its own)", tags: ["account"] },
    })
    .output(meOutput)
    .query(async ({ ctx }) => {
      const actor = ctx.actor;
      if (actor.kind !== "user" && actor.kind !== "token") return null;
      return ctx.kernel.db.transaction().execute(async (trx) => {
        await applyScope(trx, { userId: actor.userId });
        const user = await trx
          .selectFrom("users")
          .select(["id", "email", "name", "email_verified_at"])
          .where("id", "=", actor.userId)
          .executeTakeFirstOrThrow();
        let orgs = trx
          .selectFrom("memberships")
          .innerJoin("orgs", "orgs.id", "memberships.org_id")
          .select(["orgs.id", "orgs.slug", "orgs.name", "memberships.role"])
          .where("memberships.user_id", "=", actor.userId)
          .where("orgs.deleted_at", "is", null)
          .orderBy("orgs.name");
        if (actor.kind === "token") orgs = orgs.where("orgs.id", "=", actor.orgId);
        return {
          id: user.id,
          email: user.email,
          name: user.name,
          emailVerified: user.email_verified_at !== null,
          orgs: await orgs.execute(),
        };
      });
    }),

  signOut: sessionProcedure.mutation(async ({ ctx }) => {
    await ctx.audit({ action: "auth.sign_out" });
    await endSession({ kernel: ctx.kernel, resHeaders: ctx.resHeaders, ip: ctx.ip }, ctx.actor.sessionId!);
    return { ok: true };
  }),

  updateProfile: sessionProcedure.input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    await ctx.db.updateTable("users").set({ name: input.name, updated_at: new Date() }).where("id", "=", ctx.actor.userId).execute();
    await ctx.audit({ action: "account.profile.update", target: { type: "user", id: ctx.actor.userId }, data: { name: input.name } });
    return { name: input.name };
  }),

  sessions: createTRPCRouter({
    /** My signed-in devices, the current one marked (at most {@link MAX_LIVE_SESSIONS}: signing in drops the least recently seen beyond them). */
    list: sessionProcedure.query(async ({ ctx }) => {
      const rows = await ctx.db
        .selectFrom("sessions")
        .select(["id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
        .where("user_id", "=", ctx.actor.userId)
        .where("expires_at", ">", new Date())
        .orderBy("last_seen_at", "desc")
        .orderBy("id")
        .limit(MAX_LIVE_SESSIONS)
        .execute();
      // Session ids are hashes of the tokens; show only a short, non-secret handle.
      return rows.map((r) => ({
        id: r.id.slice(0, 16),
        current: r.id === ctx.actor.sessionId,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        expiresAt: r.expires_at,
        ip: r.ip,
        userAgent: r.user_agent,
      }));
    }),

    revoke: sessionProcedure.input(z.object({ id: safeString().regex(/^[0-9a-f]{16}$/, "Unknown session") })).mutation(async ({ ctx, input }) => {
      const result = await ctx.db
        .deleteFrom("sessions")
        .where("user_id", "=", ctx.actor.userId)
        .where("id", "like", `${input.id}%`)
        .where("id", "!=", ctx.actor.sessionId!)
        .executeTakeFirst();
      if (!Number(result.numDeletedRows)) throw new TRPCError({ code: "NOT_FOUND", message: "Session not found (to end this one, sign out)." });
      await ctx.audit({ action: "account.session.revoke", data: { session: input.id } });
      return { ok: true };
    }),

    /** "Sign out other devices". */
    revokeOthers: sessionProcedure.mutation(async ({ ctx }) => {
      const count = await invalidateAllSessions(ctx.db, ctx.actor.userId, ctx.actor.sessionId!);
      await ctx.audit({ action: "account.session.revoke_others", data: { count } });
      return { revoked: count };
    }),
  }),

  tokens: createTRPCRouter({
    /**
     * My tokens across orgs (never the secret), newest first: the live ones, and those revoked or
     * expired in the last {@link ENDED_TOKEN_LISTED_DAYS} days; at most {@link TOKENS_LISTED}, live
     * ones first (so a live token is never pushed out by ended ones).
     */
    list: sessionProcedure.query(async ({ ctx }) => {
      // Row-level security hides an org from someone who is not its member, so a token made in
      // an org where a share is the person's only access takes that org's name from the orgs
      // their grants reach (read in each org's scope); a token in an org they reach no more is left out.
      const picked = await ctx.db
        .selectFrom("api_tokens")
        .leftJoin("orgs", "orgs.id", "api_tokens.org_id")
        .select([
          "api_tokens.id",
          "api_tokens.name",
          "api_tokens.scopes",
          "api_tokens.created_at as createdAt",
          "api_tokens.expires_at as expiresAt",
          "api_tokens.last_used_at as lastUsedAt",
          "api_tokens.revoked_at as revokedAt",
          "api_tokens.org_id as orgId",
          "orgs.slug as orgSlug",
          "orgs.name as orgName",
        ])
        .where("api_tokens.user_id", "=", ctx.actor.userId)
        .where(tokenEndedAt, ">", sql<Date>`now() - make_interval(days => ${ENDED_TOKEN_LISTED_DAYS})`)
        .orderBy(sql`${tokenEndedAt} > now()`, "desc")
        .orderBy("api_tokens.created_at", "desc")
        .orderBy("api_tokens.id", "desc")
        .limit(TOKENS_LISTED)
        .execute();
      const rows = picked.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
      const unnamed = rows.some((r) => r.orgSlug === null);
      const shared = unnamed ? new Map((await orgsReachedByGrants(ctx.kernel, ctx.db, ctx.actor.userId)).map((o) => [o.id, o])) : new Map<string, { slug: string; name: string }>();
      return rows.flatMap((r) => {
        const org = r.orgSlug !== null && r.orgName !== null ? { slug: r.orgSlug, name: r.orgName } : shared.get(r.orgId);
        return org ? [{ ...r, orgSlug: org.slug, orgName: org.name }] : [];
      });
    }),

    /**
     * Creates a token for one org. The secret is in this response only. Someone whose only access
     * there is a share may make one too (for MCP clients): it reaches what their shares reach.
     */
    create: grantableOrgProcedure(tokenCreate)
      .input(
        z.object({
          name: nameSchema,
          scopes: z.array(z.enum(["read", "write"])).min(1, "Choose at least one scope").max(2),
          expiresInDays: z.number().int().min(1).max(366).nullable().default(90),
        }),
      )
      .mutation(async ({ ctx, input }) => {
        if (ctx.actor.kind !== "user") throw new TRPCError({ code: "FORBIDDEN", message: "Tokens cannot create tokens; sign in to create one." });
        // At most MAX_LIVE_TOKENS live tokens a person, counted under a lock on the person held
        // until this call's transaction ends: two creations racing at the limit cannot both pass.
        await lockForTransaction(ctx.db, `atrium:api-tokens:${ctx.actor.userId}`);
        const { live } = await ctx.db
          .selectFrom("api_tokens")
          .select((eb) => eb.fn.countAll<string>().as("live"))
          .where("user_id", "=", ctx.actor.userId)
          .where("revoked_at", "is", null)
          .where(tokenEndedAt, ">", sql<Date>`now()`)
          .executeTakeFirstOrThrow();
        if (Number(live) >= MAX_LIVE_TOKENS) {
          throw fieldError("UNPROCESSABLE_CONTENT", "name", `You can hold at most ${MAX_LIVE_TOKENS} active tokens across your organizations; revoke one you no longer use first.`);
        }
        const token = generateApiToken();
        const scopes = [...new Set(input.scopes)];
        const row = await ctx.db
          .insertInto("api_tokens")
          .values({
            user_id: ctx.actor.userId,
            org_id: ctx.org.id,
            name: input.name,
            token_hash: hashApiToken(token),
            scopes,
            expires_at: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
          })
          .returning(["id", "name", "scopes", "expires_at as expiresAt", "created_at as createdAt"])
          .executeTakeFirstOrThrow();
        await ctx.audit({ action: "token.create", target: { type: "token", id: row.id }, data: { name: row.name, scopes, expiresInDays: input.expiresInDays } });
        return { ...row, token };
      }),

    revoke: sessionProcedure.input(z.object({ tokenId: z.uuid() })).mutation(async ({ ctx, input }) => {
      const row = await ctx.db
        .updateTable("api_tokens")
        .set({ revoked_at: new Date() })
        .where("id", "=", input.tokenId)
        .where("user_id", "=", ctx.actor.userId)
        .where("revoked_at", "is", null)
        .returning(["id", "org_id"])
        .executeTakeFirst();
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Token not found or already revoked." });
      // The event belongs to the token's org, so its admins see it.
      await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: row.org_id });
      await ctx.audit({ action: "token.revoke", orgId: row.org_id, target: { type: "token", id: row.id } });
      return { ok: true };
    }),
  }),
});

