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
import type { BootCall } from "~/ui/boot";
import type { PageTarget, PageVisibility } from "~/ui/page-status";
import { BOOT_BUDGET_MS, isVisibleTo, type RecordScope } from "~/ui/plugin-ui";
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

/** What rendering an org or project page learned: its visibility, and the answers the browser would ask for first. */
interface PageInspection {
  visibility: PageVisibility;
  calls: BootCall[];
}

/** An answer as the browser receives it: JSON, so dates are strings (the API has no transformer). */
function asWire(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

type Caller = ReturnType<typeof createCaller>;

/** The caller for this page request (the session cookie's person), made once per request. */
function requestCaller(event: NonNullable<ReturnType<typeof getRequestEvent>>): Promise<{ caller: Caller; anonymous: boolean }> {
  const locals = event.locals as { pageCaller?: Promise<{ caller: Caller; anonymous: boolean }> };
  locals.pageCaller ??= (async () => {
    const kernel = await getKernel();
    const ctx = await createRequestContext({
      request: event.request,
      // A session refreshed here is refreshed again by the page's next call, which sets the cookie.
      resHeaders: null,
      requestId: (event.locals.requestId as string | undefined) ?? crypto.randomUUID(),
      ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
    });
    return { caller: createCaller(ctx), anonymous: ctx.actor.kind === "anonymous" };
  })();
  return locals.pageCaller;
}

/**
 * Loads what an org or project page shows, as the browser's first calls would (the same
 * procedures and inputs as src/ui/workspace.tsx), once per request: the page's status and its
 * first data both come from it.
 */
function inspectPage(event: NonNullable<ReturnType<typeof getRequestEvent>>, target: PageTarget): Promise<PageInspection> {
  const locals = event.locals as { pageInspection?: Promise<PageInspection> };
  locals.pageInspection ??= (async (): Promise<PageInspection> => {
    const { caller, anonymous } = await requestCaller(event);
    // Signed out: the page sends the visitor to sign in, and may then show it.
    if (anonymous) return { visibility: "unknown", calls: [] };
    const calls: BootCall[] = [];
    const ask = async (path: string, input: unknown) => {
      const result = asWire(await query(caller, path, input));
      calls.push({ path, input, result });
      return result;
    };
    try {
      const orgInput = target.project === undefined ? { slug: target.org } : { slug: target.org, projectSlug: target.project };
      type Place = { id: string; capabilities: string[] };
      const org = (await ask("orgs.bySlug", orgInput)) as Place & { project?: Place | null };
      let scope: RecordScope = { orgId: org.id };
      let capabilities = org.capabilities;
      if (target.project !== undefined) {
        // Answered with the org when visible; else the project's own call says why not.
        const project = org.project ?? ((await query(caller, "projects.bySlug", { orgId: org.id, slug: target.project })) as Place);
        scope = { orgId: org.id, projectId: project.id };
        capabilities = project.capabilities;
      }
      // The slots' first queries leave now, beside the record's.
      const slotsAnswered = answerSlots(caller, target, scope, new Set(capabilities), calls);
      if (target.record) {
        const { spec, within } = target.record;
        const params = target.params;
        const input = spec.input(scope, params);
        const value = asWire(await query(caller, spec.query, input));
        // Prepared here, as the page reads it: the browser's `prepare` then finds it done (a
        // dashboard's YAML parsed once on the server instead of on the page's main thread).
        const prepare = spec.prepare as ((record: unknown) => unknown) | undefined;
        const prepared = prepare ? asWire(await prepare(value)) : value;
        calls.push({ path: spec.query, input, result: prepared });
        // What the rest of the address names in the record (a dashboard's chart).
        if (within && !(within.has as (record: unknown, p: typeof params) => boolean)(prepared, params)) return { visibility: "missing", calls };
      }
      await slotsAnswered;
      return { visibility: "visible", calls };
    } catch (error) {
      if (error instanceof TRPCError) {
        // A malformed slug is no address of anything either.
        if (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST" || error.code === "UNPROCESSABLE_CONTENT") return { visibility: "missing", calls };
        if (error.code === "FORBIDDEN") return { visibility: "forbidden", calls };
      }
      return { visibility: "unknown", calls };
    }
  })();
  return locals.pageInspection;
}

/**
 * Answers the first queries of the contributions to the page's slots (`boot`) that the caller
 * may see, into `calls`, for at most `BOOT_BUDGET_MS`: one that refuses or is slower is left
 * to the browser. Never throws: the page's status does not depend on them.
 */
async function answerSlots(caller: Caller, target: PageTarget, scope: RecordScope, capabilities: ReadonlySet<string>, calls: BootCall[]): Promise<void> {
  const queries = target.boot
    .filter((c) => isVisibleTo(c, capabilities))
    .flatMap((c) => {
      try {
        return c.boot?.(Object.assign({}, scope, { params: target.params })) ?? [];
      } catch {
        return [];
      }
    });
  if (queries.length === 0) return;
  let open = true;
  const answered = Promise.all(
    queries.map(async ({ path, input }) => {
      try {
        const result = asWire(await query(caller, path, input));
        if (open) calls.push({ path, input, result });
      } catch {
        // The browser asks again and shows what it gets.
      }
    }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([answered, new Promise<void>((resolve) => (timer = setTimeout(resolve, BOOT_BUDGET_MS)))]);
  clearTimeout(timer);
  open = false;
}

export async function pageVisibility(target: PageTarget): Promise<PageVisibility> {
  const event = getRequestEvent();
  if (!event) return "unknown";
  return (await inspectPage(event, target)).visibility;
}

/**
 * The answers a page's HTML carries (src/ui/boot.tsx): who is signed in on every page, and on
 * org and project pages what `inspectPage` loaded. Only what this caller's own calls would
 * answer; the page is then sent `private, no-store`.
 */
export async function pageBoot(target: PageTarget | undefined): Promise<BootCall[]> {
  const event = getRequestEvent();
  if (!event) return [];
  const { caller } = await requestCaller(event);
  const [me, inspection] = await Promise.all([query(caller, "auth.me", undefined), target ? inspectPage(event, target) : undefined]);
  if (me) event.response.headers.set("cache-control", "private, no-store");
  return [{ path: "auth.me", input: undefined, result: asWire(me) }, ...(inspection?.calls ?? [])];
}

/**
 * Whether the thing a page outside the org layouts is about exists (`RouteInfo.lookup`): its
 * query answers NOT_FOUND when it does not. Asked as the visitor, signed in or not.
 */
export async function pageLookup(path: string, input: Record<string, unknown>, options: { framing?: boolean } = {}): Promise<PageVisibility> {
  const event = getRequestEvent();
  if (!event) return "unknown";
  const { caller } = await requestCaller(event);
  // An embeddable page (`PageLookup.framing`): the answer says who may frame it, also when it refuses the token.
  const frame = (answer: unknown) => {
    const ancestors = (answer as { frameAncestors?: unknown } | null | undefined)?.frameAncestors;
    if (options.framing && typeof ancestors === "string") allowFraming(event, ancestors);
  };
  try {
    frame(await query(caller, path, input));
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
