/**
 * The kernel's own capabilities: orgs, members, projects, tokens and the audit log.
 * Each says what it allows; denial of any of them is a 403 for a member (404 for others).
 */
import { defineCapability } from "../capabilities";

const ALL = ["owner", "admin", "editor", "viewer"] as const;

/** See the org, its members and its projects. Every member has it. */
export const orgView = defineCapability("org.view", { description: "See the organization, its members and projects", grant: ALL });
/** Rename the org and change its settings. */
export const orgUpdate = defineCapability("org.update", { description: "Change the organization's name and settings", grant: ["owner", "admin"] });
/** Delete the org (restorable for 30 days) and transfer ownership. */
export const orgDelete = defineCapability("org.delete", { description: "Delete the organization or transfer its ownership", grant: ["owner"] });
/** Invite people and manage pending invitations. */
export const membersInvite = defineCapability("members.invite", { description: "Invite people to the organization", grant: ["owner", "admin"] });
/** Change members' roles and remove members. */
export const membersManage = defineCapability("members.manage", { description: "Change members' roles and remove members", grant: ["owner", "admin"] });
/** Create projects. */
export const projectCreate = defineCapability("project.create", { description: "Create projects", grant: ["owner", "admin", "editor"] });
/** Rename, describe, archive and restore projects. */
export const projectUpdate = defineCapability("project.update", { description: "Rename and archive projects", grant: ["owner", "admin", "editor"] });
/** Delete projects and set project-level roles. */
export const projectManage = defineCapability("project.manage", { description: "Delete projects and set project-level roles", grant: ["owner", "admin"] });
/** Create personal access tokens for this org (a token never exceeds its owner's rights). */
export const tokenCreate = defineCapability("token.create", { description: "Create personal access tokens for this organization", grant: ALL });
/** Browse the audit log, including agent activity. */
export const auditView = defineCapability("audit.view", { description: "Browse the organization's audit log", grant: ["owner", "admin"] });

export const kernelCapabilities = [
  orgView,
  orgUpdate,
  orgDelete,
  membersInvite,
  membersManage,
  projectCreate,
  projectUpdate,
  projectManage,
  tokenCreate,
  auditView,
] as const;
