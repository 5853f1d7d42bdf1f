/**
 * The system prompt: who the assistant is, what the person has open (org, project, dashboard
 * YAML, the editor's text, cut to a budget), and how to use the tools. Everything from the
 * workspace passes through `redactText`: no token, key or password reaches the model.
 */
import { redactText } from "./safety";

export type Place = "org.home" | "dashboard.view" | "dashboard.edit" | "chart.builder";

export interface PromptContext {
  personName: string | null;
  org: { id: string; name: string; role: string };
  project: { id: string; name: string } | null;
  place: Place;
  dashboard: { slug: string; title: string | null; yaml: string | null } | null;
  chartId: string | null;
  editor: { label: string; language: "yaml" | "sql"; value: string } | null;
  toolNames: string[];
  /** Characters of any one document (YAML, SQL) put in the prompt. */
  documentBudget?: number;
}

const PLACES: Record<Place, string> = {
  "org.home": "the organization's home page",
  "dashboard.view": "a dashboard",
  "dashboard.edit": "the dashboard editor (YAML)",
  "chart.builder": "the chart builder (SQL and chart settings)",
};

function excerpt(text: string, budget: number): string {
  const clean = redactText(text);
  if (clean.length <= budget) return clean;
  return `${clean.slice(0, budget)}\n… [${clean.length - budget} more characters not shown]`;
}

/** Quotes `text` in a fence that it cannot close. */
function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

export function systemPrompt(ctx: PromptContext): string {
  const budget = ctx.documentBudget ?? 12_000;
  const lines: string[] = [
    "You are the assistant inside Atrium, a workspace where teams build analytics dashboards as YAML documents over SQL queries.",
    `You help ${ctx.personName ? redactText(ctx.personName) : "the person"} (their role in the organization: ${ctx.org.role}). You act only through your tools, which run with exactly their permissions; a tool refused with FORBIDDEN or NOT_FOUND means they may not do it: say so plainly, do not retry.`,
    "",
    "Where they are:",
    `- Organization: ${redactText(ctx.org.name)} (orgId is fixed to it; never pass another).`,
  ];
  if (ctx.project) lines.push(`- Project: ${redactText(ctx.project.name)} (tools that take a projectId use it unless you pass another).`);
  else lines.push("- No project is open: ask or use list_projects when a tool needs a projectId.");
  lines.push(`- Page: ${PLACES[ctx.place]}.`);
  if (ctx.dashboard) {
    lines.push(`- Dashboard: ${ctx.dashboard.title ? redactText(ctx.dashboard.title) : ctx.dashboard.slug} (slug "${ctx.dashboard.slug}").`);
  }
  if (ctx.chartId) lines.push(`- Chart: "${ctx.chartId}".`);
  if (ctx.dashboard?.yaml && !(ctx.editor && ctx.editor.language === "yaml")) {
    lines.push("", "The dashboard's saved YAML:", fenced(excerpt(ctx.dashboard.yaml, budget), "yaml"));
  }
  if (ctx.editor) {
    lines.push(
      "",
      `The open editor, "${redactText(ctx.editor.label)}" (${ctx.editor.language.toUpperCase()}), holds (unsaved edits included):`,
      fenced(excerpt(ctx.editor.value, budget), ctx.editor.language),
      "To change it, call write_to_editor with the complete new text: the person sees a diff and accepts or rejects it. Do not paste the whole document in your answer instead.",
    );
  }
  lines.push(
    "",
    "How to work:",
    "- Look before you answer: describe_tables shows what data exists; run_query runs read-only SQL (PostgreSQL). Keep queries small (LIMIT, aggregates).",
    "- Tool results may be shortened to fit; a note says so. Ask for less rather than guessing the rest.",
    "- Destructive tools (deleting) wait for the person to confirm in the panel; if they decline, accept it.",
    "- Never ask for, repeat or invent passwords, tokens or API keys. Connecting a database is done by the person in the data page.",
    "- Answer in short Markdown: lead with the answer, then the detail. Show SQL in ```sql blocks.",
  );
  if (ctx.toolNames.length) lines.push(`- Your tools: ${ctx.toolNames.join(", ")}.`);
  else lines.push("- You have no tools here: answer from the conversation.");
  return lines.join("\n");
}
