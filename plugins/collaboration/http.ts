/**
 * The unsubscribe link in comment digests: signed with the person's id (HMAC under a key of its
 * own), works without signing in. GET shows a page with one button; POST turns the emails off
 * (a GET that changed something would be followed by mail scanners' link checks).
 */
import type { HttpRoute } from "~/kernel/http/routes";
import { setPreference, verifyUnsubscribe } from "./notifications";

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Atrium</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const collaborationHttpRoutes: readonly HttpRoute[] = [
  {
    method: ["GET", "POST"],
    path: "/api/collaboration/unsubscribe",
    maxBodyBytes: 1024,
    async handle(request, ctx) {
      const userId = ctx.url.searchParams.get("u") ?? "";
      const signature = ctx.url.searchParams.get("s") ?? "";
      if (!/^[0-9a-f-]{36}$/i.test(userId) || !signature || !verifyUnsubscribe(ctx.kernel.secret, userId, signature)) {
        return page("This link does not work", "<p>The unsubscribe link is incomplete or was changed. Open it again from the email, or change your email settings in your account.</p>", 400);
      }
      if (request.method === "GET") {
        const action = `/api/collaboration/unsubscribe?u=${encodeURIComponent(userId)}&s=${encodeURIComponent(signature)}`;
        return page("Stop comment emails?", `<p>You will no longer get emails about comments and mentions. You can turn them on again in your account settings.</p><form method="post" action="${escape(action)}"><button type="submit">Stop comment emails</button></form>`);
      }
      await ctx.kernel.withScope({ userId }, (trx) => setPreference(trx, userId, "off"));
      ctx.kernel.log.info({ plugin: "collaboration", requestId: ctx.requestId }, "comment emails turned off by link");
      return page("Comment emails are off", "<p>You will no longer get emails about comments and mentions. Turn them on again in your account settings.</p>");
    },
  },
];
