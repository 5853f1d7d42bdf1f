/**
 * The public link's data route: `POST /api/sharing/public/:token` with `{ variables?, password?,
 * unlock? }` answers the page's allow-listed view (./public-view.ts). No session is read: a
 * link is its own credential, so no cookie rides along and there is nothing to forge. Every
 * answer is `no-store`, `noindex` and `no-referrer`.
 *
 *   404 NOT_FOUND       unknown, revoked, paused or expired token, or a deleted dashboard (alike)
 *   401 PASSWORD_REQUIRED / PASSWORD_INCORRECT   the link has a password
 *   422 UNPROCESSABLE_CONTENT   a variable outside what the link allows (before any SQL)
 *   429 TOO_MANY_REQUESTS  per link, and per link and address for password attempts
 *
 * A signed embed's data route: `POST /api/sharing/embed` with `{ token, variables? }` (./embeds.ts)
 * answers the same allow-listed view, under the token's claims:
 *
 *   404 NOT_FOUND       a token of no key Atrium has (garbage, or a deleted project's)
 *   401 EMBED_INVALID / EMBED_EXPIRED / EMBED_REVOKED / EMBED_OVERSCOPED   the token is refused
 *   422 UNPROCESSABLE_CONTENT   a variable the token fixes, or one outside the variable's options
 *   429 TOO_MANY_REQUESTS  per dashboard
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { httpProblem } from "~/kernel/http/dispatch";
import { verifySecret } from "~/kernel/auth/password-hash";
import type { HttpRoute } from "~/kernel/http/routes";
import { hitRateLimit } from "~/kernel/rate-limit";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { FieldErrors } from "~/kernel/errors";
import { checkUnlockProof, ipHash, openLink, recordView, unlockProof } from "./links";
import { buildPublicView } from "./public-view";
import { openEmbed, recordEmbedView, REFUSAL_MESSAGES } from "./embeds";
import { acceptInvite, askForMoreAccess, INVITE_ACCESS_MS, inviteCookie, openInvite } from "./invites";

export const PUBLIC_VIEW_PATH = "/api/sharing/public/:token";
export const EMBED_VIEW_PATH = "/api/sharing/embed";

/** Views one embedded dashboard serves per minute, across every app instance. */
const EMBED_VIEWS_PER_MINUTE = 600;

/** Views one link serves per minute, across every app instance. */
const VIEWS_PER_MINUTE = 120;
/** Password attempts per link and address per 15 minutes. */
const PASSWORD_ATTEMPTS = 10;

const PUBLIC_HEADERS = {
  "cache-control": "no-store",
  "x-robots-tag": "noindex, nofollow",
  "referrer-policy": "no-referrer",
};

const bodySchema = z.object({
  variables: z.record(safeString().max(63), safeUnknown()).refine((v) => Object.keys(v).length <= 50, "At most 50 variables").optional(),
  password: safeString().max(1024).optional(),
  unlock: safeString().max(200).optional(),
});

const acceptSchema = z.object({ token: safeString().max(64) });
const invitedSchema = z.object({ variables: bodySchema.shape.variables });
const askSchema = z.object({ message: safeString().trim().max(1000, "At most 1000 characters").default("") });

/** A browser request from another origin is refused (these routes act on the browser's cookie). */
function foreignOrigin(request: Request, publicUrl: string): boolean {
  const origin = request.headers.get("origin");
  return origin !== null && origin !== new URL(publicUrl).origin;
}

function cookieValue(request: Request, name: string): string {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return "";
}

async function parsed<T>(request: Request, schema: z.ZodType<T>, requestId: string): Promise<{ ok: true; data: T } | { ok: false; response: Response }> {
  try {
    const result = schema.safeParse(await request.json());
    if (result.success) return { ok: true, data: result.data };
    return { ok: false, response: httpProblem(422, "UNPROCESSABLE_CONTENT", "The request does not have the expected shape.", requestId, PUBLIC_HEADERS) };
  } catch {
    return { ok: false, response: httpProblem(400, "BAD_REQUEST", "The request body must be valid JSON.", requestId, PUBLIC_HEADERS) };
  }
}

const embedBodySchema = z.object({
  token: safeString().max(8192),
  variables: bodySchema.shape.variables,
});

/** What a view's run may throw that the viewer should see as itself (422, 429), never as a 500. */
function viewProblem(error: unknown, requestId: string): Response {
  if (error instanceof TRPCError && error.code === "UNPROCESSABLE_CONTENT") {
    const fields = error.cause instanceof FieldErrors ? error.cause.fields : {};
    return json(422, { error: { code: "UNPROCESSABLE_CONTENT", message: error.message, requestId, fieldErrors: fields } });
  }
  if (error instanceof TRPCError && error.code === "TOO_MANY_REQUESTS") {
    return httpProblem(429, "TOO_MANY_REQUESTS", "Too many requests right now. Try again in a moment.", requestId, { ...PUBLIC_HEADERS, "retry-after": "5" });
  }
  throw error;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...PUBLIC_HEADERS, ...headers } });
}

const notAvailable = (requestId: string) => httpProblem(404, "NOT_FOUND", "This link is not available. It may have expired or been turned off.", requestId, PUBLIC_HEADERS);

export const sharingHttpRoutes: readonly HttpRoute[] = [
  {
    method: "POST",
    path: PUBLIC_VIEW_PATH,
    maxBodyBytes: 16_384,
    async handle(request, ctx) {
      let body: z.infer<typeof bodySchema>;
      try {
        const parsed = bodySchema.safeParse(await request.json());
        if (!parsed.success) return httpProblem(422, "UNPROCESSABLE_CONTENT", "The request does not have the expected shape.", ctx.requestId, PUBLIC_HEADERS);
        body = parsed.data;
      } catch {
        return httpProblem(400, "BAD_REQUEST", "The request body must be valid JSON.", ctx.requestId, PUBLIC_HEADERS);
      }
      const kernel = ctx.kernel;
      try {
        return await kernel.db.transaction().execute(async (trx) => {
          const link = await openLink(trx, ctx.params.token ?? "");
          if (!link) return notAvailable(ctx.requestId);
          const limit = await hitRateLimit(trx, `sharing.view:${link.id}`, VIEWS_PER_MINUTE * kernel.config.rateLimitScale, 60);
          if (!limit.allowed) {
            return httpProblem(429, "TOO_MANY_REQUESTS", "This link is busy. Try again in a moment.", ctx.requestId, { ...PUBLIC_HEADERS, "retry-after": String(limit.retryAfterSeconds) });
          }
          let unlock: string | undefined;
          if (link.passwordHash) {
            const proven = body.unlock ? checkUnlockProof(kernel, { id: link.id, passwordHash: link.passwordHash }, body.unlock) : false;
            if (!proven) {
              if (!body.password) return httpProblem(401, "PASSWORD_REQUIRED", "This link needs a password.", ctx.requestId, PUBLIC_HEADERS);
              const attempts = await hitRateLimit(trx, `sharing.password:${link.id}:${ipHash(kernel, ctx.ip) ?? "-"}`, PASSWORD_ATTEMPTS, 900);
              if (!attempts.allowed) {
                return httpProblem(429, "TOO_MANY_REQUESTS", "Too many wrong passwords. Try again later.", ctx.requestId, { ...PUBLIC_HEADERS, "retry-after": String(attempts.retryAfterSeconds) });
              }
              if (!(await verifySecret(link.passwordHash, body.password))) {
                return httpProblem(401, "PASSWORD_INCORRECT", "That password is not right.", ctx.requestId, PUBLIC_HEADERS);
              }
              unlock = unlockProof(kernel, { id: link.id, passwordHash: link.passwordHash });
            }
          }
          const { view, values } = await buildPublicView({ kernel, db: trx, signal: ctx.signal }, link, body.variables ?? {});
          await recordView(trx, link, { ipHash: ipHash(kernel, ctx.ip), variables: values });
          return json(200, { ...view, ...(unlock ? { unlock } : {}) });
        });
      } catch (error) {
        return viewProblem(error, ctx.requestId);
      }
    },
  },
  {
    // A signed embed's data: the token rides in the body (it is long, and stays out of access logs).
    method: "POST",
    path: EMBED_VIEW_PATH,
    maxBodyBytes: 24_576,
    async handle(request, ctx) {
      let body: z.infer<typeof embedBodySchema>;
      try {
        const parsed = embedBodySchema.safeParse(await request.json());
        if (!parsed.success) return httpProblem(422, "UNPROCESSABLE_CONTENT", "The request does not have the expected shape.", ctx.requestId, PUBLIC_HEADERS);
        body = parsed.data;
      } catch {
        return httpProblem(400, "BAD_REQUEST", "The request body must be valid JSON.", ctx.requestId, PUBLIC_HEADERS);
      }
      const kernel = ctx.kernel;
      try {
        return await kernel.db.transaction().execute(async (trx) => {
          const opened = await openEmbed(kernel, trx, body.token);
          if (!opened.ok && opened.frameAncestors === null) return notAvailable(ctx.requestId);
          if (!opened.ok) return httpProblem(401, `EMBED_${opened.refusal.toUpperCase()}`, REFUSAL_MESSAGES[opened.refusal], ctx.requestId, PUBLIC_HEADERS);
          const limit = await hitRateLimit(trx, `sharing.embed:${opened.embed.dashboard.id}`, EMBED_VIEWS_PER_MINUTE * kernel.config.rateLimitScale, 60);
          if (!limit.allowed) {
            return httpProblem(429, "TOO_MANY_REQUESTS", "This dashboard is busy. Try again in a moment.", ctx.requestId, { ...PUBLIC_HEADERS, "retry-after": String(limit.retryAfterSeconds) });
          }
          const { view, values } = await buildPublicView({ kernel, db: trx, signal: ctx.signal }, opened.embed, body.variables ?? {});
          await recordEmbedView(trx, { orgId: opened.embed.orgId, dashboardId: opened.embed.dashboard.id, keyId: opened.keyId }, { ipHash: ipHash(kernel, ctx.ip), variables: values });
          return json(200, view);
        });
      } catch (error) {
        return viewProblem(error, ctx.requestId);
      }
    },
  },
  {
    // An invitation's mailed link, opened once: this browser gets its cookie (30 days), the link is spent.
    method: "POST",
    path: "/api/sharing/invite/accept",
    maxBodyBytes: 1024,
    async handle(request, ctx) {
      if (foreignOrigin(request, ctx.kernel.config.publicUrl)) return httpProblem(403, "FORBIDDEN", "Open the invitation from its own page.", ctx.requestId, PUBLIC_HEADERS);
      const body = await parsed(request, acceptSchema, ctx.requestId);
      if (!body.ok) return body.response;
      const accepted = await ctx.kernel.db.transaction().execute((trx) => acceptInvite(trx, body.data.token));
      if (!accepted) return httpProblem(404, "NOT_FOUND", "This invitation link is not available: it works once, for an hour. Ask for a new one.", ctx.requestId, PUBLIC_HEADERS);
      const secure = ctx.kernel.config.publicUrl.startsWith("https://") ? "; Secure" : "";
      const cookie = `${inviteCookie(accepted.inviteId)}=${accepted.secret}; Path=/api/sharing/invited/${accepted.inviteId}; Max-Age=${INVITE_ACCESS_MS / 1000}; HttpOnly; SameSite=Strict${secure}`;
      return json(200, { inviteId: accepted.inviteId, expiresAt: accepted.expiresAt.toISOString() }, { "set-cookie": cookie });
    },
  },
  {
    // What an invited browser sees: the dashboard, every variable free within its own options.
    method: "POST",
    path: "/api/sharing/invited/:inviteId",
    maxBodyBytes: 16_384,
    async handle(request, ctx) {
      if (foreignOrigin(request, ctx.kernel.config.publicUrl)) return httpProblem(403, "FORBIDDEN", "Not from another site.", ctx.requestId, PUBLIC_HEADERS);
      const inviteId = ctx.params.inviteId ?? "";
      if (!z.uuid().safeParse(inviteId).success) return notAvailable(ctx.requestId);
      const body = await parsed(request, invitedSchema, ctx.requestId);
      if (!body.ok) return body.response;
      const kernel = ctx.kernel;
      try {
        return await kernel.db.transaction().execute(async (trx) => {
          const invite = await openInvite(trx, inviteId, cookieValue(request, inviteCookie(inviteId)));
          if (!invite) return notAvailable(ctx.requestId);
          const limit = await hitRateLimit(trx, `sharing.invited:${invite.id}`, VIEWS_PER_MINUTE * kernel.config.rateLimitScale, 60);
          if (!limit.allowed) return httpProblem(429, "TOO_MANY_REQUESTS", "Too many refreshes. Try again in a moment.", ctx.requestId, { ...PUBLIC_HEADERS, "retry-after": String(limit.retryAfterSeconds) });
          const { view } = await buildPublicView({ kernel, db: trx, signal: ctx.signal }, invite.link, body.data.variables ?? {});
          return json(200, { ...view, invitedEmail: invite.email, asked: invite.askedAt !== null });
        });
      } catch (error) {
        return viewProblem(error, ctx.requestId);
      }
    },
  },
  {
    // The invited viewer asks the person who invited them for more access (one mail a day).
    method: "POST",
    path: "/api/sharing/invited/:inviteId/ask",
    maxBodyBytes: 4096,
    async handle(request, ctx) {
      if (foreignOrigin(request, ctx.kernel.config.publicUrl)) return httpProblem(403, "FORBIDDEN", "Not from another site.", ctx.requestId, PUBLIC_HEADERS);
      const inviteId = ctx.params.inviteId ?? "";
      if (!z.uuid().safeParse(inviteId).success) return notAvailable(ctx.requestId);
      const body = await parsed(request, askSchema, ctx.requestId);
      if (!body.ok) return body.response;
      const kernel = ctx.kernel;
      return kernel.db.transaction().execute(async (trx) => {
        const invite = await openInvite(trx, inviteId, cookieValue(request, inviteCookie(inviteId)));
        if (!invite) return notAvailable(ctx.requestId);
        if (!(await askForMoreAccess(kernel, trx, invite, body.data.message))) {
          return httpProblem(429, "TOO_MANY_REQUESTS", "You asked already today. The person who invited you has your request.", ctx.requestId, { ...PUBLIC_HEADERS, "retry-after": "86400" });
        }
        return json(200, { asked: true });
      });
    },
  },
];
