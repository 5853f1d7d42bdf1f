/**
 * The consent screen's logic, kept out of the JSX: what the request asks, which org is chosen,
 * its projects, and the decision built from the form (read only unless the person ticks write;
 * every project unless they narrow it).
 */
import { createSignal } from "solid-js";
import type { RouterOutputs } from "~/ui/data";

export type ConsentRequest = RouterOutputs["mcpOauth"]["consent"]["get"];
export type ConsentOrg = ConsentRequest["orgs"][number];

export interface ConsentProcedures {
  get(input: { requestId: string }): Promise<ConsentRequest>;
  projects(input: { orgId: string }): Promise<Array<{ id: string; name: string }>>;
  approve(input: { requestId: string; orgId: string; scopes: Array<"read" | "write">; projectIds: string[] | null }): Promise<{ redirectTo: string }>;
  deny(input: { requestId: string }): Promise<{ redirectTo: string }>;
}

/** Whether the person may grant `write` in this org (the org's and the server's rule). */
export function writeAllowed(request: ConsentRequest, org: ConsentOrg | undefined): boolean {
  return !!org && org.agents === "write" && !request.serverReadOnly;
}

/** The decision in a submitted form: the org, the ticked scopes, and null (every project) or the ticked ones. */
export function decisionOf(data: FormData): { orgId: string; scopes: Array<"read" | "write">; projectIds: string[] | null } {
  const scopes = data.getAll("scopes").filter((s): s is "read" | "write" => s === "read" || s === "write");
  const narrowed = data.get("projectMode") === "some";
  return {
    orgId: String(data.get("orgId") ?? ""),
    scopes,
    projectIds: narrowed ? data.getAll("projectIds").map(String) : null,
  };
}

export function createConsentStore(requestId: string, procedures: ConsentProcedures) {
  const [orgId, setOrgId] = createSignal<string>("");
  const [narrow, setNarrow] = createSignal(false);
  return {
    requestId,
    orgId,
    setOrgId,
    narrow,
    setNarrow,
    load: () => procedures.get({ requestId }),
    projects: (id: string) => procedures.projects({ orgId: id }),
    /** Approves with the form's decision; resolves to where the browser goes next. */
    async approve(data: FormData): Promise<string> {
      const decision = decisionOf(data);
      return (await procedures.approve({ requestId, ...decision })).redirectTo;
    },
    async deny(): Promise<string> {
      return (await procedures.deny({ requestId })).redirectTo;
    },
  };
}
