/**
 * The consent screen's logic, kept out of the JSX: what the request asks, which org is chosen,
 * its projects, and the decision built from the form (read only unless the person ticks write;
 * every project unless they narrow it).
 */
import { createSignal, type Accessor } from "solid-js";
import type { RouterOutputs } from "~/ui/data";

export type ConsentRequest = RouterOutputs["mcpOauth"]["consent"]["get"];
export type ConsentOrg = ConsentRequest["orgs"][number];

/** The person's choices the consent form binds to: the org, and whether projects are narrowed. */
export interface ConsentChoice {
  orgId: Accessor<string>;
  setOrgId(id: string): void;
  narrow: Accessor<boolean>;
  setNarrow(narrow: boolean): void;
}

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

export function createConsentStore(requestId: string, procedures: ConsentProcedures): ConsentChoice & ReturnType<typeof consentActions> {
  const [orgId, setOrgId] = createSignal<string>("");
  const [narrow, setNarrow] = createSignal(false);
  return { orgId, setOrgId, narrow, setNarrow, ...consentActions(requestId, procedures) };
}

function consentActions(requestId: string, procedures: ConsentProcedures) {
  return {
    requestId,
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

export interface DeviceProcedures {
  get(input: { userCode: string }): Promise<ConsentRequest>;
  projects(input: { orgId: string }): Promise<Array<{ id: string; name: string }>>;
  approve(input: { userCode: string; orgId: string; scopes: Array<"read" | "write">; projectIds: string[] | null }): Promise<{ ok: boolean; client: string }>;
  deny(input: { userCode: string }): Promise<{ ok: boolean }>;
}

/**
 * The device page (RFC 8628): the code the person typed, what its device asks for once found,
 * the same choices as the consent screen, and the outcome (approved or denied) to show.
 */
export function createDeviceStore(initialCode: string, procedures: DeviceProcedures) {
  const [orgId, setOrgId] = createSignal<string>("");
  const [narrow, setNarrow] = createSignal(false);
  const [code, setCode] = createSignal(initialCode);
  const [request, setRequest] = createSignal<ConsentRequest | null>(null);
  const [outcome, setOutcome] = createSignal<{ approved: boolean; client: string } | null>(null);
  return {
    orgId,
    setOrgId,
    narrow,
    setNarrow,
    code,
    request,
    outcome,
    /** Looks the typed code up; the consent form shows what it asks. */
    async lookup(typed: string): Promise<void> {
      const found = await procedures.get({ userCode: typed });
      setCode(typed);
      setOrgId((found.orgs.find((o) => o.agents !== "off") ?? found.orgs[0])?.id ?? "");
      setRequest(found);
    },
    projects: (id: string) => procedures.projects({ orgId: id }),
    async approve(data: FormData): Promise<void> {
      const result = await procedures.approve({ userCode: code(), ...decisionOf(data) });
      setOutcome({ approved: true, client: result.client });
    },
    async deny(): Promise<void> {
      await procedures.deny({ userCode: code() });
      setOutcome({ approved: false, client: request()?.client.name ?? "The app" });
    },
  };
}
