/**
 * Who is calling. A module of its own (types only) so the procedure builder and the modules it
 * depends on (sign-in policy, audit, tools) can all name the caller without importing each other.
 */
import type { TokenScope } from "./db/schema";

/** Who is calling: nobody, a person with a session, a personal access token, or the system. */
export type Actor =
  | { kind: "anonymous" }
  | {
      kind: "user";
      userId: string;
      sessionId?: string | null;
      /** Set when the in-app assistant calls a tool on the person's behalf: audited as an agent. */
      agent?: { client: string } | null;
    }
  | {
      kind: "token";
      userId: string;
      tokenId: string;
      /** The one org the token is bound to. */
      orgId: string;
      scopes: TokenScope[];
      /** The projects an OAuth grant narrowed it to (others are 404); absent or null: every project. */
      projectIds?: string[] | null;
      /** Set when an AI agent calls through MCP: the client's name, for the audit log. */
      agent?: { client: string } | null;
    }
  | { kind: "system"; name: string };

/** An actor that is a person (directly or through their token). */
export type SignedInActor = Extract<Actor, { kind: "user" } | { kind: "token" }>;
