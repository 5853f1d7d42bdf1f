/**
 * Tool parity by construction: every query and mutation of the shipped app router is either an
 * MCP tool (so an agent can do what its person can) or listed below with the reason it is not.
 * A new procedure fails this test until its author decides which, in review.
 */
import { describe, expect, test } from "vitest";
import { toolsOf } from "~/kernel/tools";
import { proceduresOf } from "~/kernel/trpc";
import { appRouter } from "~/plugins";

/** Procedures that are not agent tools, each with the reason (reviewed: keep the reasons true). */
const NOT_AGENT_TOOLS: Record<string, string> = {
  // Signing in and account security: a person at a browser, never a token holder.
  "authPassword.signUp": "Creates an account: only a person signs up.",
  "authPassword.signIn": "Exchanges a password for a browser session; agents hold tokens, not passwords.",
  "authPassword.verifyEmail": "Proves control of a mailbox: the person clicks the link.",
  "authPassword.resendVerification": "Mails the person a link only they can use.",
  "authPassword.requestPasswordReset": "Account recovery is the person's own.",
  "authPassword.resetPassword": "Account recovery is the person's own.",
  "authPassword.changePassword": "Changing one's password needs the current one, which an agent must never hold.",
  "authOidc.providers": "Lists sign-in buttons for the sign-in page.",
  "authOidc.identities.list": "Linked sign-in identities are account security, session only.",
  "authOidc.identities.unlink": "Unlinking a sign-in identity is account security, session only.",
  "signIn.providers": "Lists sign-in buttons for the sign-in page.",
  "signIn.methods.list": "The person's ways of signing in are account security, session only.",
  "signIn.methods.unlink": "Removing a way of signing in is account security, session only.",
  "signIn.policy.get": "The org's sign-in policy is security administration for people at a browser.",
  "signIn.policy.update": "Changing how members may sign in could lock people out: administrators only, in the app.",
  "auth.signOut": "Ends a browser session.",
  "auth.updateProfile": "The person's own name, session only.",
  "auth.sessions.list": "Browser sessions are account security, session only.",
  "auth.sessions.revoke": "Browser sessions are account security, session only.",
  "auth.sessions.revokeOthers": "Browser sessions are account security, session only.",
  "auth.tokens.list": "Tokens are credentials: an agent must not mint or manage its own.",
  "auth.tokens.create": "Tokens are credentials: an agent must not mint or manage its own.",
  "auth.tokens.revoke": "Tokens are credentials: an agent must not mint or manage its own.",
  // Organization ownership and membership changes with no way back from an agent's mistake.
  "orgs.create": "Creating an organization makes the person an owner of a new tenant: session only.",
  "orgs.rename": "Organization settings stay with administrators in the app.",
  "orgs.delete": "Deletes every project and dashboard of the organization for everyone.",
  "orgs.members.updateRole": "Changing who may do what is for administrators in the app, not for an agent acting on their behalf.",
  "orgs.members.remove": "Removing a person from the organization is for administrators in the app.",
  "orgs.members.leave": "Leaving an organization ends the person's own access, including the agent's.",
  "orgs.members.transferOwnership": "Hands the organization to someone else: owners only, in the app.",
  "orgs.invitations.preview": "Reads an invitation by its secret link, before sign-in.",
  "orgs.invitations.accept": "Accepting an invitation is the invited person's own act, session only.",
  "projects.delete": "Deletes a project and its dashboards for every member, with no restore procedure.",
  "projects.roles.set": "Changing who may do what in a project is for its managers in the app.",
  // The app's own plumbing: a tool covers the same ground, or it serves one screen.
  "kernel.info": "Server version and plugin list for the app shell.",
  "orgs.bySlug": "Resolves a URL's slug for the app shell; agents get ids and slugs from list_orgs (and tools take slugs).",
  "projects.bySlug": "Resolves a URL's slug for the app shell; list_projects gives agents the same projects.",
  "dashboards.recent": "The home page's recently changed list; search_dashboards and list_dashboards cover it.",
  "dashboards.tags": "Fills the tag filter of the dashboard list; list_dashboards returns each dashboard's tags.",
  "dashboards.preview": "The editor's live preview of a query being typed; run_query runs ad-hoc SQL for agents.",
  "dashboards.compile": "Shows the editor the SQL of a visual query; validate_dashboard and run_dashboard cover agents.",
  "data.connectors": "Lists connector forms for the data source page; create_data_source documents the types.",
  "sync.sources.register": "Registers a machine's local project for the atrium CLI, which sends its rows; an agent has no machine of its own to register.",
  "data.sources.get": "The edit form of one source; list_data_sources returns the same fields (never secrets).",
  // Comments: agents read, write and resolve threads (list_comments, add_comment, resolve_comment).
  "collaboration.comments.counts": "Thread counts for the chart cards' badges; list_comments gives agents every thread.",
  "collaboration.comments.markRead": "Clears the unread marker of the person's own comments panel.",
  "collaboration.comments.edit": "A comment's words stay the person's: agents add comments (marked as an agent's), they do not rewrite what was said.",
  "collaboration.comments.delete": "A comment's words stay the person's: agents add comments (marked as an agent's), they do not remove what was said.",
  "collaboration.reviews.list": "The review status beside the dashboard and its history in the app.",
  "collaboration.reviews.mark": "A sign-off is the person's own judgement, never an agent's.",
  "collaboration.members": "The @-completion of the comment box; add_comment takes people's emails or ids.",
  "collaboration.notifications.markRead": "Clears the person's own bell; list_notifications reads without changing it.",
  "collaboration.mailPreference.get": "The person's own email setting, on their account page.",
  "collaboration.mailPreference.set": "Which emails a person gets is theirs to choose, not an agent's.",
  // The editor's lease and drafts: a person at the dashboard editor; agents save through update_dashboard, guarded by its version check.
  "collaboration.lease.get": "Who edits a dashboard now, shown in the app's editor; agents save through update_dashboard, whose version check refuses a stale save.",
  "collaboration.lease.open": "Held by a person's open editor and renewed by their activity; an agent keeps no editor open.",
  "collaboration.lease.renew": "Renewed by the activity of a person at the editor; an agent keeps no editor open.",
  "collaboration.lease.takeOver": "Takes the dashboard editor from another person at their browser: a choice between people.",
  "collaboration.lease.handOff": "Hands the dashboard editor to another person: a choice between people.",
  "collaboration.lease.release": "Called when a person closes the dashboard editor.",
  "collaboration.lease.editors": "The hand-off menu of the dashboard editor.",
  "collaboration.drafts.save": "A person's unsaved editor text, kept as they type; agents send whole documents to update_dashboard.",
  "collaboration.drafts.discard": "Drops a person's own unsaved editor text after they saved or threw it away.",
  // Setup: agents read the status and drive the task board (get_setup_status, list_setup_tasks, start_setup_task, get_task_run, cancel_setup_task).
  "onboarding.tasks.history": "The task board's history table; get_task_run gives agents any run, list_setup_tasks each task's last run.",
  "onboarding.checklist.get": "The org home's checklist for the person at the browser; get_setup_status gives agents the same status.",
  "onboarding.checklist.dismiss": "Hides the checklist from the person's own org home.",
  "onboarding.checklist.restore": "Shows the org home checklist again to people who hid it: a choice about their screens.",
  "onboarding.wizard.get": "The setup wizard is the person's guided path; get_setup_status and list_setup_tasks give agents the same state.",
  "onboarding.wizard.open": "Opens the wizard's edit lease for the person at the browser; agents drive setup with start_setup_task.",
  "onboarding.wizard.save": "Saves a wizard step typed by a person; agents drive setup with start_setup_task.",
  "onboarding.wizard.takeOver": "Takes the wizard's edit lease from another person at their browser: a choice between people.",
  "onboarding.wizard.handOff": "Hands the wizard's edit lease to another person: a choice between people.",
  "onboarding.wizard.resume": "Resumes a person's abandoned wizard at their browser; agents drive setup with start_setup_task.",
  // Agent connections are the person's and their admins' control over agents: never the agents'.
  "mcpOauth.consent.get": "The consent screen: only the person at the browser decides what an agent may do.",
  "mcpOauth.consent.approve": "The consent screen: an agent must never approve its own access.",
  "mcpOauth.consent.deny": "The consent screen: only the person at the browser decides what an agent may do.",
  "mcpOauth.device.get": "The device page: only the person at the browser decides what a device may do.",
  "mcpOauth.device.approve": "The device page: an agent must never approve a device's access.",
  "mcpOauth.device.deny": "The device page: only the person at the browser decides what a device may do.",
  "mcpOauth.usage.publish": "Agent usage is the admins' oversight of agents, in org settings; agents read dashboards with get_dashboard.",
  "mcpOauth.connections.mine": "Connected apps are the person's control over agents, session only.",
  "mcpOauth.connections.revokeMine": "Connected apps are the person's control over agents, session only.",
  "mcpOauth.connections.org": "Every agent connection of the org: admins oversee agents in the app, not through them.",
  "mcpOauth.connections.revoke": "Disconnecting agents is for admins in the app, not for agents.",
  "mcpOauth.settings.get": "Whether agents are allowed is shown on the org settings page.",
  "mcpOauth.settings.update": "An agent must not change whether agents are allowed.",
  // Git sync: agents connect plain remotes, read the status, sync, read a branch, commit, promote and resolve conflicts (connect_repository, get_git_status, sync_branch, list_branches, get_dashboard_at_branch, run_dashboard_at_branch, commit_changes, promote_branch, list_conflicts, resolve_conflict).
  "gitSync.connect": "The connection form takes a repository token: a credential must never pass through an agent's arguments (connect_repository connects plain remotes, or GitHub App installations checked against the person's own GitHub grant).",
  "gitSync.testConnection": "The connection form's check, which may carry a token; connect_repository checks the same before it saves.",
  "gitSync.disconnect": "Disconnecting drops the project's repository credential: administrators decide that in the app.",
  "gitSync.webhook": "Creates the push webhook's signing secret and shows it once: a credential must never pass through an agent's hands.",
  "gitSync.discard": "Throws away the caller's saved work and moves their branch back to the trunk: a person confirms that in the app, an agent never does it for them.",
  "gitSync.githubInstall": "Starts the GitHub App's install in the person's browser (GitHub's install page, then back to the Git page): an agent has no browser, and connect_repository takes an installation the person already installed.",
  "gitSync.githubRepositories": "The Git page's repository picker, read with the person's own GitHub authorization; an agent names the installation and repository to connect_repository.",
  "gitSync.githubOauthAuthorize": "Starts the person's GitHub OAuth authorization in their browser (GitHub's authorize page, then back to the Git page): an agent has no browser.",
  "gitSync.githubOauthForget": "Signs the person out of GitHub in Atrium (their OAuth grant is forgotten, and connections made with it stop working): a person decides that in the app.",
  "gitSync.githubOauthRepositories": "The Git page's picker for a GitHub OAuth connection, read with the person's own OAuth grant, which reaches every repository they can (not only an App's installations): connecting with it is a person's choice in the app, so connect_repository never uses it and an agent has nothing to pick for.",
  "gitSync.dashboardOrigin": "The commit badge in a dashboard's header; get_git_status lists every dashboard file with its commit.",
  // Public links: agents create, list and revoke them (create_public_link, list_public_links, revoke_public_link).
  "sharing.links.setPaused": "Pausing a link is a switch in the Public link tab for the person watching who opens it; agents revoke with revoke_public_link.",
  "sharing.links.org": "Every public link of the organization is the admins' oversight page; list_public_links gives agents a project's or dashboard's links.",
  "sharing.sharedAccess": "The shared dashboard page's own question of which panels to offer; an agent's calls are checked one by one.",
  "sharing.links.mine": "The person's own page of links they made; list_public_links gives agents a project's or dashboard's links.",
  "sharing.links.status": "The public page's own check that its link is live, asked with the link's token; agents never hold link tokens.",
  "sharing.links.setMaxDays": "How long the organization's links may live is a security setting for admins in the app, not for agents.",
  // Signed embeds: agents sign a token (create_embed_token); the keys and the sites allowed are people's decisions.
  "sharing.embeds.settings": "The Embed tab's own view (keys, allowed sites, the dashboard's id for snippets); create_embed_token signs for agents.",
  "sharing.embeds.rotate": "Returns a new embed key once: key material must never pass through an agent.",
  "sharing.embeds.retire": "Retiring an embed key breaks every site that signs with it: administrators decide that in the app.",
  "sharing.embeds.setOrigins": "Which sites may frame the project's dashboards is a security setting for administrators in the app, not for agents.",
  "sharing.embeds.revokeAll": "Revoking every embed of a dashboard breaks it on every site: a person decides that in the Embed tab.",
  "sharing.invites.status": "The invitation page's own check that its mailed link still opens, asked with the link's token; agents never hold it.",
  "sharing.invites.viewing": "The invited view's own check that its invitation is live; the browser's cookie is the access, never an agent's.",
  "sharing.embeds.status": "The embed page's own check of its token (and who may frame it); agents sign tokens, they do not open them.",
  // The in-app assistant's own conversations: the assistant is itself an agent surface.
  "assistant.status": "Whether the in-app assistant is configured, for its panel.",
  "assistant.chatContext": "Builds the in-app assistant's prompt context.",
  "assistant.threads.list": "The in-app assistant's conversation list, for its panel.",
  "assistant.threads.get": "The in-app assistant's conversation list, for its panel.",
  "assistant.threads.rename": "The in-app assistant's conversation list, for its panel.",
  "assistant.threads.delete": "The in-app assistant's conversation list, for its panel.",
};

const callable = proceduresOf(appRouter).filter((p) => p.type === "query" || p.type === "mutation");
const tools = new Set(toolsOf(appRouter).map((tool) => tool.path));

describe("tool parity", () => {
  test("every query and mutation is an MCP tool or excluded with a reason", () => {
    const neither = callable.map((p) => p.path).filter((path) => !tools.has(path) && !(path in NOT_AGENT_TOOLS));
    expect(neither, "add .meta({ mcp }) or a reasoned entry in NOT_AGENT_TOOLS").toEqual([]);
  });

  test("the exclusion list names only procedures that exist and are not tools", () => {
    const paths = new Set(callable.map((p) => p.path));
    const stale = Object.keys(NOT_AGENT_TOOLS).filter((path) => !paths.has(path) || tools.has(path));
    expect(stale).toEqual([]);
    for (const [path, reason] of Object.entries(NOT_AGENT_TOOLS)) expect(reason.length, path).toBeGreaterThan(20);
  });

  test("what a person does in a project has a tool", () => {
    const names = new Set(toolsOf(appRouter).map((tool) => tool.name));
    for (const name of [
      "dashboard_history",
      "get_dashboard_version",
      "restore_dashboard_version",
      "duplicate_dashboard",
      "restore_dashboard",
      "run_dashboard",
      "list_board_sources",
      "map_board_source",
      "unmap_board_source",
      "create_project",
      "update_project",
      "archive_project",
      "list_members",
      "invite_member",
    ]) {
      expect(names, name).toContain(name);
    }
  });
});
