/**
 * `signIn.*`: the kernel's view of every way to sign in, whatever plugin provides it.
 *
 * - `providers`: the configured redirect providers, for the sign-in buttons (public);
 * - `methods.list` / `methods.unlink`: the signed-in person's sign-in methods (a password,
 *   linked OIDC and GitHub identities), refusing to remove the last one;
 * - `policy.get` / `policy.update`: an org's sign-in policy (capability `org.update`).
 */
import { z } from "zod";
import { orgUpdate } from "../tenancy/capabilities";
import { capabilityProcedure, createTRPCRouter, publicProcedure, sessionProcedure } from "../trpc";
import { fieldError } from "../errors";
import { AUTO_JOIN_ROLES, domainOf, policyDb, providerName, sessionProviderOf } from "./policy";
import { listSignInMethods, removeSignInMethod, signInProviders } from "./providers";
import { safeString } from "../schemas";

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

const policyInput = z.object({
  requiredProvider: safeString().trim().max(40).nullable(),
  autoJoinDomain: safeString()
    .trim()
    .toLowerCase()
    .max(253, "Use at most 253 characters")
    .transform((v) => v.replace(/^@/, ""))
    .refine((v) => v === "" || DOMAIN.test(v), "Enter a domain such as example.com")
    .nullable(),
  autoJoinRole: z.enum(AUTO_JOIN_ROLES as [string, ...string[]], { message: "Pick viewer, editor or admin (auto-join never makes owners)" }),
});

export const signInRouter = createTRPCRouter({
  /** The configured providers, for the sign-in buttons: `[{ id, name, kind }]`. */
  providers: publicProcedure.query(({ ctx }) => signInProviders(ctx.kernel.plugins).map((p) => ({ id: p.id, name: p.name, kind: p.kind }))),

  methods: createTRPCRouter({
    /** The caller's ways to sign in, across plugins; `current` marks the one this session used. */
    list: sessionProcedure.query(async ({ ctx }) => {
      const current = await sessionProviderOf(ctx.db, ctx.actor);
      const methods = await listSignInMethods(ctx.kernel, ctx.db, ctx.actor.userId);
      return methods.map((m) => ({
        id: m.id,
        kind: m.kind,
        provider: m.provider,
        label: m.label,
        detail: m.detail,
        createdAt: m.createdAt?.toISOString() ?? null,
        lastUsedAt: m.lastUsedAt?.toISOString() ?? null,
        removable: m.removable && methods.length > 1,
        current: m.provider !== null && m.provider === current,
      }));
    }),

    /** Unlinks one of the caller's methods; 409 when it is the last way to sign in. */
    unlink: sessionProcedure.input(z.object({ id: safeString().min(1).max(200) })).mutation(async ({ ctx, input }) => {
      const removed = await removeSignInMethod(ctx.kernel, ctx.db, ctx.actor.userId, input.id);
      await ctx.audit({ action: "auth.identity.unlinked", data: { kind: removed.kind, provider: removed.provider } });
      return { ok: true as const };
    }),
  }),

  policy: createTRPCRouter({
    /** The org's policy, the providers it may require, and what the caller's session satisfies. */
    get: capabilityProcedure(orgUpdate).query(async ({ ctx }) => {
      const row = await policyDb(ctx.db).selectFrom("org_sign_in_policies").selectAll().where("org_id", "=", ctx.org.id).executeTakeFirst();
      const me = await ctx.db.selectFrom("users").select(["email", "email_verified_at"]).where("id", "=", ctx.actor.userId).executeTakeFirstOrThrow();
      return {
        requiredProvider: row?.required_provider ?? null,
        requiredProviderName: row?.required_provider ? providerName(ctx.kernel, row.required_provider) : null,
        requiredSince: row?.required_since?.toISOString() ?? null,
        autoJoinDomain: row?.auto_join_domain ?? null,
        autoJoinRole: row?.auto_join_role ?? "viewer",
        providers: signInProviders(ctx.kernel.plugins).map((p) => ({ id: p.id, name: p.name })),
        /** The provider this session was signed in with: the only one the caller may require. */
        currentProvider: await sessionProviderOf(ctx.db, ctx.actor),
        /** The caller's own verified domain: the only one they may auto-join. */
        myDomain: me.email_verified_at ? domainOf(me.email) : null,
      };
    }),

    /**
     * Sets the org's policy. Requiring a provider is refused unless the caller's own session
     * was signed in with it (else they would lock themselves out at once); auto-join is
     * limited to the caller's own verified email domain and never grants owner.
     */
    update: capabilityProcedure(orgUpdate)
      .input(policyInput)
      .mutation(async ({ ctx, input }) => {
        const db = policyDb(ctx.db);
        const before = await db.selectFrom("org_sign_in_policies").selectAll().where("org_id", "=", ctx.org.id).executeTakeFirst();
        const required = input.requiredProvider || null;
        if (required) {
          if (!signInProviders(ctx.kernel.plugins).some((p) => p.id === required)) {
            throw fieldError("UNPROCESSABLE_CONTENT", "requiredProvider", "That sign-in provider is not configured on this server.");
          }
          if (required !== before?.required_provider && (await sessionProviderOf(ctx.db, ctx.actor)) !== required) {
            const name = providerName(ctx.kernel, required);
            throw fieldError(
              "FORBIDDEN",
              "requiredProvider",
              `Sign in with ${name} first: you are not signed in with it, so requiring it would lock you out of this organization.`,
            );
          }
        }
        const domain = input.autoJoinDomain || null;
        if (domain && domain !== before?.auto_join_domain) {
          const me = await ctx.db.selectFrom("users").select(["email", "email_verified_at"]).where("id", "=", ctx.actor.userId).executeTakeFirstOrThrow();
          if (!me.email_verified_at || domainOf(me.email) !== domain) {
            throw fieldError("FORBIDDEN", "autoJoinDomain", `You can only auto-join people of your own verified email domain${me.email_verified_at ? ` (${domainOf(me.email)})` : ""}.`);
          }
        }
        const values = {
          required_provider: required,
          required_since: required ? (required === before?.required_provider ? before.required_since : new Date()) : null,
          auto_join_domain: domain,
          auto_join_role: input.autoJoinRole as (typeof AUTO_JOIN_ROLES)[number],
          updated_by: ctx.actor.userId,
          updated_at: new Date(),
        };
        await db
          .insertInto("org_sign_in_policies")
          .values({ org_id: ctx.org.id, ...values })
          .onConflict((oc) => oc.column("org_id").doUpdateSet(values))
          .execute();
        await ctx.audit({
          action: "org.sign_in_policy.update",
          target: { type: "org", id: ctx.org.id },
          data: { requiredProvider: required, autoJoinDomain: domain, autoJoinRole: input.autoJoinRole },
        });
        return { ok: true as const };
      }),
  }),
});
