/**
 * The sharing plugin's browser half: a Share button in the dashboard's action rail (its dialog
 * lists who has access and why, and shares with people), the "Shared with me" list and the
 * page a person opens a dashboard shared with them on (outside the project's pages, which they
 * may not see), the public page of a link (`/s/<token>`), a banner on a dashboard that is public,
 * and the "Shared links" pages (the organization's, for admins; a person's own).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { sharingManage, sharingOversee } from "./capabilities";

export const sharingUi = definePluginUi({
  id: "sharing",
  slots: {
    "dashboard.actions": [{ id: "share", capability: sharingManage, component: lazy(() => import("./ui/ShareButton")) }],
    "dashboard.banners": [
      {
        id: "public",
        capability: sharingManage,
        component: lazy(() => import("./ui/PublicBanner")),
        // The banner's count of live links comes with the dashboard's page.
        boot: ({ orgId, projectId, params }) => (projectId && params.slug ? [{ path: "sharing.links.list", input: { orgId, projectId, slug: params.slug } }] : []),
      },
    ],
    "org.settings.sections": [{ id: "public-links", capability: sharingOversee, component: lazy(() => import("./ui/OrgSharingSection")) }],
    "app.nav": [
      { id: "shared-with-me", label: "Shared with me", href: "/shared", order: 80 },
      { id: "my-public-links", label: "My public links", href: "/shared-links", order: 81 },
    ],
  },
  pages: [
    { layout: "org", path: "shared-links", breadcrumb: "Shared links", component: lazy(() => import("./ui/OrgLinksPage")) },
    { layout: "bare", path: "/shared-links", signIn: "required", breadcrumb: "My public links", component: lazy(() => import("./ui/MyLinksPage")) },
    { layout: "bare", path: "/shared", signIn: "required", breadcrumb: "Shared with me", component: lazy(() => import("./ui/SharedWithMePage")) },
    {
      layout: "bare",
      path: "/s/:token",
      chrome: "focused",
      breadcrumb: "Shared dashboard",
      // A revoked, paused or expired link's page answers 404; the token in the address never travels on as a referrer.
      lookup: { query: "sharing.links.status", input: (params) => ({ token: params.token ?? "" }) },
      secretAddress: true,
      component: lazy(() => import("./ui/PublicDashboardPage")),
    },
    {
      layout: "bare",
      path: "/e/:token",
      chrome: "focused",
      breadcrumb: "Embedded dashboard",
      // A refused token's page answers 401 (and says why); the project's allowed origins may frame it.
      lookup: { query: "sharing.embeds.status", input: (params) => ({ token: params.token ?? "" }), framing: true },
      secretAddress: true,
      component: lazy(() => import("./ui/EmbedDashboardPage")),
    },
    {
      layout: "bare",
      path: "/v/:token",
      chrome: "focused",
      breadcrumb: "Invitation to view",
      // A used, expired or revoked invitation link answers 404, like one that never existed.
      lookup: { query: "sharing.invites.status", input: (params) => ({ token: params.token ?? "" }) },
      secretAddress: true,
      component: lazy(() => import("./ui/InviteAcceptPage")),
    },
    {
      layout: "bare",
      path: "/view/:inviteId",
      chrome: "focused",
      breadcrumb: "Shared dashboard",
      // An id that names no live invitation answers 404; the browser's cookie is checked by the data route.
      lookup: { query: "sharing.invites.viewing", input: (params) => ({ inviteId: params.inviteId ?? "" }) },
      component: lazy(() => import("./ui/InvitedDashboardPage")),
    },
    {
      layout: "bare",
      path: "/shared/:orgId/:projectId/:slug",
      signIn: "required",
      breadcrumb: "Shared dashboard",
      // A dashboard that is not shared with the visitor (or not there) answers 404.
      lookup: { query: "dashboards.get", input: (p) => ({ orgId: p.orgId ?? "", projectId: p.projectId ?? "", slug: p.slug ?? "" }) },
      component: lazy(() => import("./ui/SharedDashboardPage")),
    },
  ],
});
