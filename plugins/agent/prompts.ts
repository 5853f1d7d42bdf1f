/**
 * MCP prompts: `build_dashboard` turns a question into the steps and the document format an
 * agent needs to answer it with an Atrium dashboard, using this connection's tools.
 */
import { ErrorCode, type GetPromptResult, type Prompt } from "@modelcontextprotocol/sdk/types.js";
import { ProtocolError, type AgentRequest } from "./context";

export const PROMPTS: Prompt[] = [
  {
    name: "build_dashboard",
    title: "Build a dashboard for a question",
    description: "Explore the organization's data and build (or draft) an Atrium dashboard that answers a question.",
    arguments: [
      { name: "question", description: "The question the dashboard should answer, e.g. “How is weekly revenue trending by region?”", required: true },
      { name: "project", description: "The project to put it in (slug or id); list_projects shows them. Optional.", required: false },
    ],
  },
];

const EXAMPLE = `title: Revenue overview
description: Weekly revenue by region
source: warehouse
variables:
  - name: region
    type: select
    label: Region
    default: EMEA
    options: [EMEA, AMER, APAC]
queries:
  revenue_by_week:
    sql: |
      select date_trunc('week', ordered_at) as week, region, sum(amount) as revenue
      from orders where region = {{region}}
      group by 1, 2 order by 1
charts:
  - id: weekly
    title: Weekly revenue
    type: line            # bar | line | area | scatter | pie | kpi | table | text
    query: revenue_by_week
    x: week
    y: revenue
    color: region
layout:
  rows:
    - [{ chart: weekly, width: 12 }]`;

export function buildDashboardPrompt(request: AgentRequest, args: Record<string, string>): GetPromptResult {
  const question = (args.question ?? "").trim().slice(0, 2000);
  if (!question) throw new ProtocolError(ErrorCode.InvalidParams, 'Argument "question" is required: the question the dashboard should answer.');
  const project = (args.project ?? "").trim().slice(0, 100);
  const canWrite = request.actor.scopes.includes("write");
  const steps = [
    project ? `1. Use project "${project}" (pass it as projectId).` : "1. Call list_projects and pick the project that fits (ask if unsure).",
    "2. Call list_dashboards (and search_dashboards) to see whether a dashboard already answers it; if so, get_dashboard and improve that one.",
    "3. Call list_data_sources and describe_tables to find the tables and columns that hold the answer.",
    "4. Try the SQL with run_query (read-only, capped) until the numbers look right. Variables go in SQL as {{name}}, never pasted values.",
    "5. Write the dashboard YAML (format below): one query per question part, a chart per query, a layout on a 12-column grid.",
    "6. Call validate_dashboard and fix every error it names (path, message and hint) until it is valid.",
    canWrite
      ? "7. Save it with create_dashboard (or update_dashboard with the version you read; a conflict means someone changed it: read it again). Then render_chart each chart to check it."
      : "7. This connection is read-only: give the person the validated YAML to save in Atrium.",
    "8. Answer the question in a few sentences, citing the numbers, and say where the dashboard is.",
  ];
  const text = [
    `Build an Atrium dashboard that answers this question: ${question}`,
    "",
    "Steps:",
    ...steps,
    "",
    "Dashboard YAML format (unknown keys are errors):",
    "```yaml",
    EXAMPLE,
    "```",
  ].join("\n");
  return {
    description: `Build a dashboard for: ${question.slice(0, 100)}`,
    messages: [{ role: "user", content: { type: "text", text } }],
  };
}
