/**
 * A server-rendered page's first render (`PluginPage.serverRender`): the page under <main> sees
 * the person, the org, the project and its record as the answers its HTML carried
 * (src/ui/boot.tsx), before the shell has loaded them, and so do its components' resources
 * that take an `initial` from `useFirstAnswers()`. On the server the page then renders its
 * content instead of a spinner, and the browser hydrates it from the same answers, so both
 * draw the same. Once mounted, the shell loads these as usual (its first calls are answered by
 * the same answers, once) and takes over; after the first change of address nothing here
 * answers any more.
 *
 * The top bar, the navigation and the action rail keep the shell's own state: they render on
 * the server as before, and fill in once the browser has loaded it.
 */
import { useCurrentMatches, useLocation } from "@solidjs/router";
import { createMemo, untrack, type ParentProps } from "solid-js";
import { bootKey } from "./boot-cache";
import type { PageBootAnswers } from "./boot";
import { FirstAnswersContext, type FirstAnswers } from "./first-answers";
import type { RouteInfo } from "./plugin-ui";
import { SessionFirst } from "./session";
import { WorkspaceFirst } from "./workspace";

export function FirstRender(props: ParentProps<{ boot: PageBootAnswers }>) {
  const matches = useCurrentMatches();
  const location = useLocation();
  const optedIn = createMemo(() => (matches().at(-1)?.route.info as RouteInfo | undefined)?.serverRender === true);
  // Only the address the page was loaded at: any other (a client-side navigation, even back
  // here) is the shell's, from the moment it changes.
  const loadedAt = untrack(() => location.pathname);
  let left = false;
  const fresh = createMemo(() => {
    left ||= location.pathname !== loadedAt;
    return !left;
  });
  // Read only for a page that opts in: on the server, the page's <Suspense> then waits for them.
  const answers = createMemo(() => {
    if (!fresh() || !optedIn()) return null;
    const calls = props.boot();
    return calls ? new Map(calls.map((call) => [bootKey(call.path, call.input), call.result])) : null;
  });
  const first: FirstAnswers = (path, input) => {
    const known = answers();
    const key = bootKey(path, input);
    return known?.has(key) ? { result: known.get(key) } : undefined;
  };
  return (
    <FirstAnswersContext.Provider value={first}>
      <SessionFirst first={first}>
        <WorkspaceFirst first={first}>{props.children}</WorkspaceFirst>
      </SessionFirst>
    </FirstAnswersContext.Provider>
  );
}
