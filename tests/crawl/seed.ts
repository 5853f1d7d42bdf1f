/**
 * The instance the crawl walks: one person per role (owner, admin, editor, viewer) in one
 * organization, with the sample data, a dashboard holding every chart type, a second project
 * where the viewer is an editor (a project-level override), a pending invitation; and a person
 * in another organization. People and their sessions are written to the database (as a
 * sign-in would leave them); everything else goes through the server's own procedures over
 * HTTP, as the browser sends them.
 */
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import pg from "pg";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import type { Role } from "~/kernel/db/schema";
import type { AppRouter } from "~/plugins";
import type { ChartType } from "../../plugins/dashboards/document";

/** Who the crawl signs in as. */
export const ROLES = ["anonymous", "viewer", "editor", "admin", "owner", "outsider"] as const;
export type CrawlRole = (typeof ROLES)[number];

export interface Seed {
  /** The session cookie's value per signed-in role. */
  readonly cookies: Readonly<Record<Exclude<CrawlRole, "anonymous">, string>>;
  /** Values for the params of org and project pages, by name: `org`, `project`, `slug`, `chartId`. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Values for the params of other pages, by the page's pattern (`/invite/:token`). A page
   * whose params have no value here is crawled at an address for nothing, where it must answer
   * 404; add its values here to crawl what it shows.
   */
  readonly pageParams: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The org the outsider belongs to (not the crawled one). */
  readonly otherOrgSlug: string;
  /** The second project, where the viewer is an editor. */
  readonly overrideProjectSlug: string;
}

export const SEED_NAMES = {
  org: { slug: "crawl-works", name: "Crawl Works" },
  otherOrg: { slug: "elsewhere-inc", name: "Elsewhere Inc" },
  project: { slug: "sales-review", name: "Sales review" },
  overrideProject: { slug: "field-notes", name: "Field notes" },
};

/** One chart per type, on the sample data. Typed by `ChartType`: a new type fails typecheck here until it is crawled. */
const CHARTS: Record<ChartType, string> = {
  bar: "{ id: by-channel, title: Revenue by channel, type: bar, query: by_channel, x: channel, y: revenue }",
  line: "{ id: weekly, title: Weekly revenue, type: line, query: by_week, x: week, y: revenue }",
  area: "{ id: weekly-area, title: Weekly revenue (area), type: area, query: by_week, x: week, y: revenue }",
  scatter: "{ id: spread, title: Orders vs revenue, type: scatter, query: by_week, x: orders, y: revenue }",
  pie: "{ id: share, title: Share by channel, type: pie, query: by_channel, x: channel, y: revenue }",
  kpi: "{ id: total, title: Orders, type: kpi, query: totals, value: orders }",
  table: "{ id: detail, title: Revenue table, type: table, query: by_channel }",
  text: '{ id: notes, type: text, markdown: "## Notes\\nRevenue excludes VAT." }',
  histogram: "{ id: order-sizes, title: Order sizes, type: histogram, query: orders, x: total, bins: 12 }",
  heatmap: "{ id: heat, title: Revenue by week and channel, type: heatmap, query: by_week_channel, x: week, y: channel, color: revenue }",
  spark_bar: "{ id: channels-at-a-glance, title: Channels at a glance, type: spark_bar, query: by_channel, x: channel, y: revenue }",
};

const DASHBOARD_YAML = `title: Every chart
description: One chart of each type, on the sample shop.
variables:
  - { name: status, type: select, label: Order status, default: completed, options: [completed, cancelled, refunded] }
queries:
  by_channel:
    sql: select channel, sum(total) as revenue from sample.orders where status = {{status}} group by 1 order by 1
  by_week:
    sql: select date_trunc('week', ordered_at) as week, sum(total) as revenue, count(*) as orders from sample.orders group by 1 order by 1
  totals:
    sql: select count(*) as orders from sample.orders where status = {{status}}
  orders:
    sql: select total from sample.orders where status = {{status}} limit 2000
  by_week_channel:
    sql: select date_trunc('week', ordered_at) as week, channel, sum(total) as revenue from sample.orders group by 1, 2 order by 1, 2
charts:
${Object.values(CHARTS)
  .map((chart) => `  - ${chart}`)
  .join("\n")}
`;

export const FIRST_CHART_ID = "by-channel";

type Client = TRPCClient<AppRouter>;

function clientFor(baseUrl: string, cookie: string): Client {
  return createTRPCClient<AppRouter>({
    // Mutations carry the Origin the server checks, as a browser's do.
    links: [httpLink({ url: `${baseUrl}/api/trpc`, headers: { cookie: `${SESSION_COOKIE}=${cookie}`, origin: baseUrl } })],
  });
}

/** Writes a confirmed person and a session for them; returns the user id and the cookie value. */
async function person(db: pg.Client, role: string): Promise<{ id: string; cookie: string }> {
  const { rows } = await db.query<{ id: string }>(
    "insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id",
    // One name for everyone: documents that differ only by whose they are are audited once.
    [`${role}@crawl.test`, "Casey Crawler"],
  );
  const id = rows[0]!.id;
  const cookie = generateSessionToken();
  await db.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(cookie), id]);
  return { id, cookie };
}

/** Seeds the instance behind `baseUrl` (its database at `databaseUrl`). */
export async function seedInstance(baseUrl: string, databaseUrl: string): Promise<Seed> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const people = {} as Record<Exclude<CrawlRole, "anonymous">, { id: string; cookie: string }>;
    for (const role of ROLES) if (role !== "anonymous") people[role] = await person(db, role);

    const owner = clientFor(baseUrl, people.owner.cookie);
    const org = await owner.orgs.create.mutate(SEED_NAMES.org);
    const members: Array<[Exclude<CrawlRole, "anonymous" | "owner" | "outsider">, Role]> = [
      ["admin", "admin"],
      ["editor", "editor"],
      ["viewer", "viewer"],
    ];
    for (const [who, role] of members) {
      await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, $3)", [org.id, people[who].id, role]);
    }
    const project = await owner.projects.create.mutate({ orgId: org.id, ...SEED_NAMES.project, description: "Where the crawl looks at every page." });
    const override = await owner.projects.create.mutate({ orgId: org.id, ...SEED_NAMES.overrideProject });
    await owner.projects.roles.set.mutate({ orgId: org.id, projectId: override.id, userId: people.viewer.id, role: "editor" });

    await owner.data.loadSample.mutate({ orgId: org.id });
    const dashboard = await owner.dashboards.create.mutate({ orgId: org.id, projectId: project.id, yaml: DASHBOARD_YAML });
    const invitation = await owner.orgs.invitations.create.mutate({ orgId: org.id, email: "invitee@crawl.test", role: "viewer" });
    const token = invitation.link.slice(invitation.link.lastIndexOf("/") + 1);

    const outsider = clientFor(baseUrl, people.outsider.cookie);
    await outsider.orgs.create.mutate(SEED_NAMES.otherOrg);
    // The outsider sees the dashboard through a share (members see it through the org).
    await owner.sharing.share.mutate({ orgId: org.id, projectId: project.id, slug: dashboard.slug, email: "outsider@crawl.test", role: "view" });
    // A public link: its page is for anyone with the address.
    const link = await owner.sharing.links.create.mutate({ orgId: org.id, projectId: project.id, slug: dashboard.slug, exports: ["csv", "png", "svg"] });
    const publicToken = link.url.slice(link.url.lastIndexOf("/") + 1);
    // A signed embed: the project's key, and a token for the dashboard.
    await owner.sharing.embeds.rotate.mutate({ orgId: org.id, projectId: project.id });
    const embed = await owner.sharing.embeds.createToken.mutate({ orgId: org.id, projectId: project.id, slug: dashboard.slug, exports: ["csv"] });

    const cookies = Object.fromEntries(Object.entries(people).map(([role, p]) => [role, p.cookie])) as Seed["cookies"];
    return {
      cookies,
      params: { org: org.slug, project: project.slug, slug: dashboard.slug, chartId: FIRST_CHART_ID },
      pageParams: {
        "/invite/:token": { token },
        "/shared/:orgId/:projectId/:slug": { orgId: org.id, projectId: project.id, slug: dashboard.slug },
        "/s/:token": { token: publicToken },
        "/e/:token": { token: embed.token },
      },
      otherOrgSlug: SEED_NAMES.otherOrg.slug,
      overrideProjectSlug: override.slug,
    };
  } finally {
    await db.end();
  }
}
