/**
 * The answers a page's HTML carried, as its first render reads them: on the server, and in the
 * browser while it hydrates the server's HTML. Only pages that opt in (`PluginPage.serverRender`)
 * get any (src/ui/first-render.tsx provides them); everywhere else the lookup answers nothing,
 * and resources start empty as before.
 */
import { createContext, useContext } from "solid-js";

/** The page's answer for `path` with `input` (keys in any order), if its HTML carried one. */
export type FirstAnswers = (path: string, input: unknown) => { result: unknown } | undefined;

const NONE: FirstAnswers = () => undefined;

export const FirstAnswersContext = createContext<FirstAnswers>(NONE);

/** The current page's first answers (none outside a server-rendered page's first render). */
export function useFirstAnswers(): FirstAnswers {
  return useContext(FirstAnswersContext);
}
