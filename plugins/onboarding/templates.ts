/**
 * First dashboards, chosen by the data found: the sample shop gets a ready revenue dashboard;
 * any other table gets a small starter (its row count and its first rows) to edit from there.
 * Pure: the YAML is built from table descriptions, never from table contents.
 */
export interface DescribedTable {
  schema: string;
  name: string;
  columns: Array<{ name: string; type: string }>;
}

export const REVENUE_DASHBOARD = `title: Revenue overview
description: Orders and revenue of the sample shop, by month and by channel.
tags: [sample, revenue]
queries:
  totals:
    sql: |
      select count(*)::int as orders, coalesce(sum(total), 0)::float8 as revenue
      from sample.orders where status = 'completed'
  by_month:
    sql: |
      select date_trunc('month', ordered_at)::date as month, sum(total)::float8 as revenue
      from sample.orders where status = 'completed'
      group by 1 order by 1
  by_channel:
    sql: |
      select channel, sum(total)::float8 as revenue
      from sample.orders where status = 'completed'
      group by 1 order by 2 desc
charts:
  - { id: orders, type: kpi, title: Completed orders, query: totals, value: orders }
  - { id: revenue, type: kpi, title: Revenue, query: totals, value: revenue }
  - { id: revenue-by-month, type: line, title: Revenue by month, query: by_month, x: month, y: revenue }
  - { id: revenue-by-channel, type: bar, title: Revenue by channel, query: by_channel, x: channel, y: revenue }
`;

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Quotes an identifier for SQL unless it is plainly safe. */
function ident(name: string): string {
  return IDENT.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** YAML double-quoted string. */
function yamlString(text: string): string {
  return JSON.stringify(text);
}

export type Template = { id: "revenue" | "starter"; yaml: string; table: string };

/** The template for the tables found, or null when there is nothing to build on. */
export function chooseTemplate(tables: readonly DescribedTable[]): Template | null {
  if (tables.some((t) => t.schema === "sample" && t.name === "orders")) return { id: "revenue", yaml: REVENUE_DASHBOARD, table: "sample.orders" };
  const table = tables.find((t) => t.schema === "public") ?? tables.find((t) => t.schema !== "sample") ?? tables[0];
  if (!table) return null;
  const qualified = `${ident(table.schema)}.${ident(table.name)}`;
  const title = `${table.name} overview`;
  const yaml = `title: ${yamlString(title)}
description: ${yamlString(`A starter dashboard for ${table.schema}.${table.name}: edit it to add charts.`)}
tags: [starter]
queries:
  row_count:
    sql: select count(*)::int as row_count from ${qualified}
  first_rows:
    sql: select * from ${qualified} limit 100
charts:
  - { id: rows, type: kpi, title: Rows, query: row_count, value: row_count }
  - { id: first-rows, type: table, title: First rows, query: first_rows }
`;
  return { id: "starter", yaml, table: `${table.schema}.${table.name}` };
}
