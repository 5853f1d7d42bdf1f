/**
 * `authOidc.*`: which providers to offer (public), and the signed-in person's linked identities
 * (list, unlink). The flow itself runs over plain HTTP redirects: see service.ts and
 * src/routes/auth/[provider]/.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { countSignInMethods, LAST_SIGN_IN_METHOD } from "~/kernel/auth/providers";
import { createTRPCRouter, publicProcedure, sessionProcedure } from "~/kernel/trpc";
import { oidcProvidersFromEnv } from "./config";
import { oidcDb } from "./service";

export { LAST_SIGN_IN_METHOD };

export const authOidcRouter = createTRPCRouter({
  /** The configured providers, for the sign-in buttons: `[{ id, name }]`. */
  providers: publicProcedure.query(() => oidcProvidersFromEnv().map((p) => ({ id: p.id, name: p.name }))),

  identities: createTRPCRouter({
    /** The caller's linked identities, newest first. */
    list: sessionProcedure.query(async ({ ctx }) => {
      const names = new Map(oidcProvidersFromEnv().map((p) => [p.id, p.name]));
      const rows = await oidcDb(ctx.db)
        .selectFrom("auth_oidc_identities")
        .select(["id", "provider", "email", "created_at", "last_used_at"])
        .where("user_id", "=", ctx.actor.userId)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        provider: r.provider,
        providerName: names.get(r.provider) ?? r.provider,
        email: r.email,
        createdAt: r.created_at.toISOString(),
        lastUsedAt: r.last_used_at?.toISOString() ?? null,
      }));
    }),

    /**
     * Unlinks one of the caller's identities. Refused (409) when it is the caller's last way to
     * sign in, counted across plugins by the kernel (a password, other identities).
     */
    unlink: sessionProcedure.input(z.object({ id: z.uuid({ message: "id must be an identity id (UUID)" }) })).mutation(async ({ ctx, input }) => {
      const db = oidcDb(ctx.db);
      const mine = await db
        .selectFrom("auth_oidc_identities")
        .select(["id", "provider"])
        .where("user_id", "=", ctx.actor.userId)
        .forUpdate()
        .execute();
      const target = mine.find((r) => r.id === input.id);
      if (!target) throw new TRPCError({ code: "NOT_FOUND", message: "No such linked identity." });
      await ctx.db.selectFrom("users").select("id").where("id", "=", ctx.actor.userId).forUpdate().execute();
      if ((await countSignInMethods(ctx.kernel, ctx.db, ctx.actor.userId)) <= 1) throw new TRPCError({ code: "CONFLICT", message: LAST_SIGN_IN_METHOD });
      await db.deleteFrom("auth_oidc_identities").where("id", "=", target.id).execute();
      await ctx.audit({ action: "auth.oidc.unlinked", target: { type: "oidc_identity", id: target.id }, data: { provider: target.provider } });
      return { ok: true as const };
    }),
  }),
});
