/**
 * Comment bodies: Markdown (GitHub flavour) rendered to HTML on the server, then cleaned against
 * an allow-list (ADR 022). micromark escapes raw HTML and drops unsafe link protocols; the
 * sanitizer is the second wall: only text-formatting tags survive, links keep http(s) and mailto
 * only and open without a referrer, and images become their alt text, so a comment cannot make
 * every viewer's browser fetch a remote address.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import sanitizeHtml from "sanitize-html";

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span"],
  allowedAttributes: { a: ["href", "title", "rel", "target"], span: ["class", "data-user-id"], th: ["align"], td: ["align"] },
  allowedClasses: { span: ["comment-image", "mention"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "nofollow noopener noreferrer", target: "_blank" } }),
    img: (_tagName, attribs) => ({ tagName: "span", attribs: { class: "comment-image" }, text: `[image${attribs.alt ? `: ${attribs.alt}` : ""}]` }),
    // Headings in a comment sit under the panel's own: keep them small.
    h1: "h4",
    h2: "h4",
  },
};

/** Safe HTML for a comment's Markdown text. */
export function renderCommentMarkdown(text: string): string {
  const html = micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  return sanitizeHtml(html, OPTIONS);
}
