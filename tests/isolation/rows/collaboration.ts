/**
 * The collaboration plugin's rows: every `collaboration.*` procedure on org A's dashboard
 * "matrix". A row that acts on a comment puts a thread there first, written directly and
 * authored by the acting person (own-only edits are allowed to them), else by the owner.
 */
import type { World } from "../world";
import { dashboardIn } from "./dashboards";
import { A, everyone, P, type Row } from "./helpers";

type Tables = {
  collaboration_threads: { id?: string; org_id: string; project_id: string; dashboard_id: string; created_by: string };
  collaboration_comments: { id?: string; org_id: string; thread_id: string; author_id: string; body: string; dashboard_version: number };
  dashboards_dashboards: { id: string; slug: string; project_id: string };
  collaboration_edit_leases: { dashboard_id: string; org_id: string; holder_id: string; expires_at: string };
};

/** The dashboard "matrix" with one thread of one comment by the acting person (or the owner). */
async function threadIn(w: World): Promise<{ slug: string; threadId: string; commentId: string }> {
  const { slug } = await dashboardIn(w);
  const db = w.kernel.ownerDb.withTables<Tables>();
  const dashboard = await db.selectFrom("dashboards_dashboards").select("id").where("project_id", "=", w.projectA.id).where("slug", "=", slug).executeTakeFirstOrThrow();
  const author = w.actorUser?.id ?? w.users.owner.id;
  const thread = await db
    .insertInto("collaboration_threads")
    .values({ org_id: w.orgA.id, project_id: w.projectA.id, dashboard_id: dashboard.id, created_by: author })
    .returning("id")
    .executeTakeFirstOrThrow();
  const comment = await db
    .insertInto("collaboration_comments")
    .values({ org_id: w.orgA.id, thread_id: thread.id!, author_id: author, body: "From the matrix", dashboard_version: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { slug, threadId: thread.id!, commentId: comment.id! };
}

/** The dashboard "matrix" with its edit lease held by the acting person (or the owner) for 5 minutes. */
async function leaseIn(w: World): Promise<{ slug: string }> {
  const { slug } = await dashboardIn(w);
  const db = w.kernel.ownerDb.withTables<Tables>();
  const dashboard = await db.selectFrom("dashboards_dashboards").select("id").where("project_id", "=", w.projectA.id).where("slug", "=", slug).executeTakeFirstOrThrow();
  const holder = w.actorUser?.id ?? w.users.owner.id;
  await db.insertInto("collaboration_edit_leases").values({ dashboard_id: dashboard.id, org_id: w.orgA.id, holder_id: holder, expires_at: new Date(Date.now() + 300_000).toISOString() }).execute();
  return { slug };
}

const onDashboard = async (w: World) => ({ ...P(w), slug: (await dashboardIn(w)).slug });

export const collaborationRows: Record<string, Row> = {
  "collaboration.comments.list": { input: onDashboard },
  "collaboration.comments.counts": { input: onDashboard },
  "collaboration.comments.add": { input: async (w) => ({ ...(await onDashboard(w)), body: "Hello from the matrix" }) },
  "collaboration.comments.edit": { input: async (w) => { const t = await threadIn(w); return { ...P(w), slug: t.slug, commentId: t.commentId, body: "Edited" }; } },
  "collaboration.comments.delete": { input: async (w) => { const t = await threadIn(w); return { ...P(w), slug: t.slug, commentId: t.commentId }; } },
  "collaboration.comments.markRead": { input: onDashboard },
  "collaboration.threads.resolve": { input: async (w) => { const t = await threadIn(w); return { ...P(w), slug: t.slug, threadId: t.threadId }; } },
  "collaboration.reviews.list": { input: onDashboard },
  "collaboration.reviews.mark": { input: async (w) => ({ ...(await onDashboard(w)), version: 1 }) },
  "collaboration.members": { input: onDashboard },
  "collaboration.lease.get": { input: onDashboard },
  "collaboration.lease.open": { input: onDashboard },
  "collaboration.lease.renew": { input: async (w) => ({ ...P(w), ...(await leaseIn(w)) }) },
  "collaboration.lease.takeOver": { input: async (w) => ({ ...(await onDashboard(w)), confirm: true }) },
  // The holder hands it to another member who may edit: the editor, or the owner when the editor acts.
  "collaboration.lease.handOff": { input: async (w) => ({ ...P(w), ...(await leaseIn(w)), userId: w.actorUser?.id === w.users.editor.id ? w.users.owner.id : w.users.editor.id }) },
  "collaboration.lease.release": { input: async (w) => ({ ...P(w), ...(await leaseIn(w)) }) },
  "collaboration.lease.editors": { input: onDashboard },
  "collaboration.lease.onChange": { input: onDashboard },
  "collaboration.live.dashboard": { input: onDashboard },
  "collaboration.drafts.save": { input: async (w) => ({ ...(await onDashboard(w)), yaml: "title: Matrix draft", baseVersion: 1 }) },
  "collaboration.drafts.discard": { input: onDashboard },
  "collaboration.activity.list": { input: P },
  "collaboration.notifications.list": { input: A },
  "collaboration.notifications.markRead": { input: (w) => ({ ...A(w), all: true }) },
  // A person's own email setting, in no org: every signed-in person, a read token may only read it.
  "collaboration.mailPreference.get": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED" } },
  "collaboration.mailPreference.set": { input: () => ({ email: "mentions" }), expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED", readToken: "FORBIDDEN" } },
};
