import { defineCapability } from "~/kernel/capabilities";

/** Denied: never happens to a member (non-members get 404). See the setup status, the checklist and the task board. */
export const onboardingView = defineCapability("onboarding.view", {
  description: "See the organization's setup status and its setup tasks",
  grant: ["owner", "admin", "editor", "viewer"],
});

/**
 * Denied: the member sees the task board read-only (its controls disabled, with this reason) and
 * gets 403 on starting or cancelling a task, driving the setup wizard or restoring the checklist.
 */
export const onboardingManage = defineCapability("onboarding.manage", {
  description: "Run the organization's setup: start and cancel setup tasks, drive the setup wizard",
  grant: ["owner", "admin"],
});

export const onboardingCapabilities = [onboardingView, onboardingManage] as const;
