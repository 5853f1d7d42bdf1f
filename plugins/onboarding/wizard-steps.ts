/** The setup wizard's five steps, in order: pure data, shared by the server and the browser. */
export const WIZARD_STEPS = [
  { step: 1, id: "workspace", label: "Workspace", skippable: false },
  { step: 2, id: "team", label: "Team", skippable: true },
  { step: 3, id: "data", label: "Connect data", skippable: false },
  { step: 4, id: "verify", label: "Verify", skippable: false },
  { step: 5, id: "dashboard", label: "First dashboard", skippable: false },
] as const;
export type WizardStepId = (typeof WIZARD_STEPS)[number]["id"];
