/**
 * Every project of an org, for pickers that offer them all (a grant's projects, a filter, the
 * onboarding steps): `projects.list` read a page of 200 at a time. An org holds at most 1,000
 * projects (MAX_PROJECTS_PER_ORG), so that is five requests at most; the loop stops there anyway.
 */
import { trpc } from "./trpc";

const PAGE = 200;
const MAX_PAGES = 5;

/** The org's live, unarchived projects by name. */
export async function everyProject(orgId: string) {
  const first = await trpc.projects.list.query({ orgId, limit: PAGE });
  const items = [...first.items];
  let cursor = first.nextCursor;
  for (let page = 1; cursor && page < MAX_PAGES; page++) {
    const next = await trpc.projects.list.query({ orgId, limit: PAGE, cursor });
    items.push(...next.items);
    cursor = next.nextCursor;
  }
  return items;
}
