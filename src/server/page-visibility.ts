/**
 * Whether the person asking for a page may see what it shows: the org and project in its
 * address and the page's record (`PluginPage.record`). Asked while the server renders an org
 * or project page, so an invisible one answers HTTP 404 (a forbidden record 403) instead of a
 * 200 whose page later says "not found". The same procedures the browser calls answer, as the
 * same caller (the request's session cookie), so the status says no more than they do.
 *
 * Server-only: src/entry-server.tsx hands it to src/ui/page-status.tsx.
 */
import { TRPCError } from "@trpc/server";
import { getRequestEvent } from "solid-js/web";
import { getRequestIP } from "vinxi/http";
import { createCallerFactory } from "~/kernel/trpc";
import { appRouter } from "~/plugins";
import type { PageTarget, PageVisibility } from "~/ui/page-status";
import type { RecordScope } from "~/ui/plugin-ui";
import { createRequestContext } from "./context";
import { getKernel } from "./kernel";
import { allowFraming } from "./security";

const createCaller = createCallerFactory(appRouter);

/** Calls a query procedure by its dotted path; anything but a query is refused. */
async function query(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const procedure = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } } | undefined>)[path];
  if (procedure?._def.type !== "query") throw new TRPCError({ code: "NOT_FOUND", message: `No query at "${path}".` });
  let node = caller;
  for (const key of path.split(".")) node = (node as Record<string, unknown>)[key];
  return (node as (input: unknown) => Promise<unknown>)(input);
}

export async function pageVisibility(target: PageTarget): Promise<PageVisibility> {
  const event = getRequestEvent();
  if (!event) return "unknown";
  const kernel = await getKernel();
  const ctx = await createRequestContext({
    request: event.request,
    // A session refreshed here is refreshed again by the page's first call, which sets the cookie.
    resHeaders: null,
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
  });
  // Signed out: the page sends the visitor to sign in, and may then show it.
  if (ctx.actor.kind === "anonymous") return "unknown";
  const caller = createCaller(ctx);
  try {
    const org = (await query(caller, "orgs.bySlug", { slug: target.org })) as { id: string };
    let scope: RecordScope = { orgId: org.id };
    if (target.project !== undefined) {
      const project = (await query(caller, "projects.bySlug", { orgId: org.id, slug: target.project })) as { id: string };
      scope = { orgId: org.id, projectId: project.id };
    }
    if (target.record) {
      const { spec, params, within } = target.record;
      const value = await query(caller, spec.query, spec.input(scope, params));
      if (within) {
        // What the rest of the address names in the record (a dashboard's chart), read as the page reads it.
        const prepare = spec.prepare as ((record: unknown) => unknown) | undefined;
        const prepared = prepare ? await prepare(value) : value;
        if (!(within.has as (record: unknown, p: typeof params) => boolean)(prepared, params)) return "missing";
      }
    }
    return "visible";
  } catch (error) {
    if (error instanceof TRPCError) {
      // A malformed slug is no address of anything either.
      if (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST" || error.code === "UNPROCESSABLE_CONTENT") return "missing";
      if (error.code === "FORBIDDEN") return "forbidden";
    }
    return "unknown";
  }
}

/**
 * Whether the thing a page outside the org layouts is about exists (`RouteInfo.lookup`): its
 * query answers NOT_FOUND when it does not. Asked as the visitor, signed in or not.
 */
export async function pageLookup(path: string, input: Record<string, unknown>, options: { framing?: boolean } = {}): Promise<PageVisibility> {
  const event = getRequestEvent();
  if (!event) return "unknown";
  const kernel = await getKernel();
  const ctx = await createRequestContext({
    request: event.request,
    resHeaders: null,
    requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
  });
  // An embeddable page (`PageLookup.framing`): the answer says who may frame it, also when it refuses the token.
  const frame = (answer: unknown) => {
    const ancestors = (answer as { frameAncestors?: unknown } | null | undefined)?.frameAncestors;
    if (options.framing && typeof ancestors === "string") allowFraming(event, ancestors);
  };
  try {
    frame(await query(createCaller(ctx), path, input));
    return "visible";
  } catch (error) {
    if (options.framing && error instanceof TRPCError && error.code === "UNAUTHORIZED") {
      frame(error.cause);
      return "refused";
    }
    // A malformed address (not an id where one belongs) names nothing either.
    const missing = error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST" || error.code === "UNPROCESSABLE_CONTENT");
    return missing ? "missing" : "unknown";
  }
}
