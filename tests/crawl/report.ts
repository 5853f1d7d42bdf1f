/**
 * The crawl's report: `report.json` (every visit with its status, failures, axe findings and
 * screenshot) and `index.html` (the same as a page: a row per page and role, failures first).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { VisitResult } from "./crawl";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface CrawlSummary {
  pages: number;
  roles: number;
  visits: number;
  failing: number;
  seconds: number;
  unseeded: string[];
}

export function writeReport(dir: string, results: readonly VisitResult[], summary: CrawlSummary): void {
  writeFileSync(path.join(dir, "report.json"), JSON.stringify({ summary, visits: results.map(({ links: _links, ...r }) => r) }, null, 2));
  const sorted = [...results].sort((a, b) => Number(b.failures.length > 0) - Number(a.failures.length > 0) || a.url.localeCompare(b.url) || a.role.localeCompare(b.role));
  const rows = sorted
    .map((r) => {
      const issues = [
        ...r.failures.map((f) => `<li class="fail">${escape(f)}</li>`),
        ...(r.stalled ? [`<li class="note">the first try stalled (${escape(r.stalled)}); this is the second</li>`] : []),
        ...r.reported.map((v) => `<li class="note">axe ${v.impact} ${escape(v.rule)} (${v.theme}): ${escape(v.help)} — <code>${escape(v.selectors.join(", "))}</code></li>`),
      ].join("");
      const shot = r.screenshot ? `<a href="${escape(r.screenshot)}"><img loading="lazy" src="${escape(r.screenshot)}" alt="${escape(`${r.url} as ${r.role}`)}"></a>` : "";
      return `<tr class="${r.failures.length ? "failing" : "ok"}"><td><a href="${escape(r.url)}">${escape(r.url)}</a><br><small>${escape(r.pattern)} · ${escape(r.source)} · ${r.via}</small></td><td>${r.role}</td><td>${r.status ?? "—"}<br><small>${escape(r.expect.kind)}</small></td><td><ul>${issues}</ul></td><td>${shot}</td></tr>`;
    })
    .join("\n");
  const unseeded = summary.unseeded.length
    ? `<p>Pages crawled only at an address for nothing (no seeded params; add them in tests/crawl/seed.ts): ${summary.unseeded.map((u) => `<code>${escape(u)}</code>`).join(", ")}</p>`
    : "";
  writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Atrium crawl report</title>
<style>body{font:14px system-ui;margin:2rem}table{border-collapse:collapse;width:100%}td{border-top:1px solid #ccc;padding:.4rem;vertical-align:top}
tr.failing td:first-child{border-left:4px solid #b00020}.fail{color:#b00020}.note{color:#555}img{width:240px}ul{margin:0;padding-left:1rem}</style>
<h1>Atrium crawl report</h1>
<p>${summary.pages} pages × ${summary.roles} roles: ${summary.visits} visits (links followed included), ${summary.failing} failing, in ${summary.seconds} s.</p>
${unseeded}
<table><thead><tr><th>Page</th><th>Role</th><th>Status</th><th>Findings</th><th>Screenshot</th></tr></thead><tbody>
${rows}
</tbody></table></html>`,
  );
}
