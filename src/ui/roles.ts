/** Roles as people read them. The server decides what each may do (capabilities). */
export type RoleName = "owner" | "admin" | "editor" | "viewer";

export const ROLE_NAMES: readonly RoleName[] = ["owner", "admin", "editor", "viewer"];

const LABELS: Record<RoleName, string> = { owner: "Owner", admin: "Admin", editor: "Editor", viewer: "Viewer" };

export const ROLE_DESCRIPTIONS: Record<RoleName, string> = {
  owner: "Everything, including deleting the organization",
  admin: "Manages members, invitations and settings",
  editor: "Creates and edits projects and dashboards",
  viewer: "Sees projects and dashboards",
};

export function roleLabel(role: string): string {
  return LABELS[role as RoleName] ?? role;
}

/** "an admin", "a viewer". */
export function withArticle(role: string): string {
  const label = roleLabel(role).toLowerCase();
  return `${/^[aeiou]/.test(label) ? "an" : "a"} ${label}`;
}

/** The roles a member may hand out: only an owner grants the owner role. */
export function assignableRoles(myRole: string): RoleName[] {
  return myRole === "owner" ? [...ROLE_NAMES] : ROLE_NAMES.filter((r) => r !== "owner");
}
