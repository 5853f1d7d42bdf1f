/**
 * The example plugin's HTTP routes: a small JSON API beside its procedures, the way a plugin
 * adds webhooks, exports or public data. The kernel's dispatcher serves them; a handler gets
 * the request and a context (request id, address, params, the caller, procedures as the caller).
 */
import { z } from "zod";
import { safeString } from "~/kernel/schemas";
import { httpProblem } from "~/kernel/http/dispatch";
import type { HttpRoute } from "~/kernel/http/routes";

const newNote = z.object({ body: safeString() });

export const exampleHttpRoutes: readonly HttpRoute[] = [
  {
    // Who is asking and what they may read: the procedure decides (404 for a non-member).
    method: "GET",
    path: "/api/example/orgs/:orgId/notes",
    async handle(_request, ctx) {
      const actor = await ctx.caller();
      if (actor.kind !== "user" && actor.kind !== "token") return httpProblem(401, "UNAUTHORIZED", "Sign in to continue.", ctx.requestId);
      const notes = await ctx.call<unknown[]>("example.notes.list", { orgId: ctx.params.orgId });
      return Response.json({ caller: actor.userId, via: actor.kind, orgId: ctx.params.orgId, requestId: ctx.requestId, notes });
    },
  },
  {
    // Writes go through the procedure too (capability, audit, events), with a small body limit.
    method: "POST",
    path: "/api/example/orgs/:orgId/notes",
    maxBodyBytes: 4096,
    async handle(request, ctx) {
      // Reading past maxBodyBytes throws; the dispatcher answers 413. Only the parse is caught.
      const text = await request.text();
      let raw: unknown = null;
      try {
        raw = JSON.parse(text);
      } catch {
        // not JSON: refused below
      }
      const parsed = newNote.safeParse(raw);
      if (!parsed.success) return httpProblem(422, "UNPROCESSABLE_CONTENT", "Send { body: string }.", ctx.requestId);
      const note = await ctx.call("example.notes.add", { orgId: ctx.params.orgId, body: parsed.data.body });
      return Response.json(note, { status: 201 });
    },
  },
];
