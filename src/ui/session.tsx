/**
 * Who is signed in, for the whole app: `auth.me` loaded once in the browser and refreshed
 * after anything that changes it (sign-in, sign-out, a new org, an accepted invitation).
 * Pages that need a person declare `info: { signIn: "required" }`; the layout sends signed-out
 * visitors to `/sign-in?next=…`. Hiding is not authorization: every procedure checks again.
 */
import { useNavigate } from "@solidjs/router";
import { createContext, onCleanup, onMount, useContext, type Accessor, type ParentProps } from "solid-js";
import { createBrowserResource, type RouterOutputs } from "./data";
import type { FirstAnswers } from "./first-answers";
import { problemOf, type Problem } from "./problems";
import { SESSION_LOST_EVENT, trpc } from "./trpc";

export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
export type MyOrg = Me["orgs"][number];

export interface Session {
  /** The signed-in person; `null` when signed out; `undefined` until known. */
  user: Accessor<Me | null | undefined>;
  /** Why `auth.me` could not be loaded, if it could not. */
  problem: Accessor<Problem | null>;
  /** Loads `auth.me` again; resolves once the new value is in. */
  refresh(): Promise<void>;
  /** Ends this browser's session and goes to the sign-in page. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session>();

export function SessionProvider(props: ParentProps) {
  const navigate = useNavigate();
  const [me, { refetch, mutate }] = createBrowserResource(
    () => true,
    () => trpc.auth.me.query(),
  );
  // A call answered 401 while someone seemed signed in: ask again; a null answer sends
  // pages that need a person to sign in (the layout's gate), and back here afterwards.
  onMount(() => {
    const recheck = () => {
      if (me.state === "ready" && me.latest) void refetch();
    };
    window.addEventListener(SESSION_LOST_EVENT, recheck);
    onCleanup(() => window.removeEventListener(SESSION_LOST_EVENT, recheck));
  });
  const session: Session = {
    user: () => (me.error ? undefined : me.state === "ready" || me.state === "refreshing" ? (me.latest ?? null) : undefined),
    problem: () => (me.error ? problemOf(me.error) : null),
    async refresh() {
      await refetch();
    },
    async signOut() {
      await trpc.auth.signOut.mutate();
      mutate(null);
      navigate("/sign-in", { replace: true });
    },
  };
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

/**
 * The session as a server-rendered page's first render sees it (src/ui/first-render.tsx): until
 * the shell has loaded `auth.me`, the answer the page's HTML carried.
 */
export function SessionFirst(props: ParentProps<{ first: FirstAnswers }>) {
  const outer = useSession();
  const session: Session = {
    ...outer,
    user: () => {
      const known = outer.user();
      if (known !== undefined || outer.problem()) return known;
      const answer = props.first("auth.me", undefined);
      return answer ? ((answer.result ?? null) as Me | null) : undefined;
    },
  };
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() must be used inside <SessionProvider> (the app layout provides it).");
  return session;
}

/**
 * Where to go after signing in: an in-app path from `?next=`, never another site
 * (`//evil.example`, `https://…`, `/\evil`), and never back to a sign-in page.
 */
export function safeNext(next: string | string[] | undefined, fallback = "/"): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (/^\/(sign-in|sign-up)(\/|\?|$)/.test(value)) return fallback;
  return value;
}

/** `/sign-in?next=<path>` (or `/sign-up?…`) for coming back to `path` afterwards. */
export function authHref(page: "/sign-in" | "/sign-up", next: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...extra });
  if (next && next !== "/") params.set("next", next);
  const query = params.toString();
  return query ? `${page}?${query}` : page;
}
