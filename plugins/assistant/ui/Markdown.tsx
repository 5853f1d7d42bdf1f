/**
 * An assistant answer as Markdown (GitHub flavour: tables, lists, code). micromark escapes raw
 * HTML and drops dangerous link protocols by default, so a model cannot inject markup.
 *
 * The renderer loads with the first answer, not with the panel: the panel sits on the org home
 * and every dashboard, where its code is part of the page's load. Until it is in (a moment),
 * the answer shows as plain text.
 */
import { createSignal, Show } from "solid-js";

type Render = (text: string) => string;
let loading: Promise<Render> | undefined;

function loadRenderer(): Promise<Render> {
  loading ??= Promise.all([import("micromark"), import("micromark-extension-gfm")]).then(
    ([{ micromark }, { gfm, gfmHtml }]) =>
      (text: string) =>
        micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }),
  );
  // A failed load (offline) is tried again by the next answer; this one stays plain text.
  loading.catch(() => (loading = undefined));
  return loading;
}

export function Markdown(props: { text: string }) {
  const [render, setRender] = createSignal<Render>();
  loadRenderer().then(
    (loaded) => setRender(() => loaded),
    () => {},
  );
  return (
    <Show
      when={render()}
      fallback={
        <div class="assistant-md">
          <p class="assistant-md__plain">{props.text}</p>
        </div>
      }
    >
      {/* micromark's output is safe to insert: raw HTML in the text is escaped, javascript: links dropped. */}
      {/* eslint-disable-next-line solid/no-innerhtml */}
      {(loaded) => <div class="assistant-md" innerHTML={loaded()(props.text)} />}
    </Show>
  );
}
