/**
 * Isolation rows for the kernel's sign-in registry and org sign-in policy (`signIn.*`).
 * Policy procedures are capability-guarded (`org.update`): outcomes follow from the grants.
 */
import { randomUUID } from "node:crypto";
import { A, everyone, sessionOnly, type Row } from "./helpers";

export const authRows: Record<string, Row> = {
  "signIn.providers": { expect: everyone("ok") },
  "signIn.methods.list": { expect: sessionOnly() },
  // Another person's identity is as unknown as a made-up one (src/kernel/auth/sign-in-methods.test.ts).
  "signIn.methods.unlink": { input: () => ({ id: `auth-oidc:${randomUUID()}` }), expect: sessionOnly("NOT_FOUND") },
  "signIn.policy.get": { input: A },
  // Clearing the policy needs no particular session; requiring a provider does (tested beside the code).
  "signIn.policy.update": { input: (w) => ({ ...A(w), requiredProvider: null, autoJoinDomain: null, autoJoinRole: "viewer" }) },
};
