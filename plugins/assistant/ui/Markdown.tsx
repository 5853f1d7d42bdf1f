/**
 * An assistant answer as Markdown (GitHub flavour: tables, lists, code). micromark escapes raw
 * HTML and drops dangerous link protocols by default, so a model cannot inject markup.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { createMemo } from "solid-js";

export function Markdown(props: { text: string }) {
  const html = createMemo(() => micromark(props.text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }));
  // micromark's output is safe to insert: raw HTML in the text is escaped, javascript: links dropped.
  // eslint-disable-next-line solid/no-innerhtml
  return <div class="assistant-md" innerHTML={html()} />;
}
