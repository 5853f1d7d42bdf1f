/**
 * What the git-sync REST operations answer (a project's repository under
 * /api/v1/orgs/{orgId}/projects/{projectId}/git/…), as zod schemas for the OpenAPI document.
 * No schema here has a field for a credential: a connection says only whether a token is stored.
 * Objects are loose, so a field added later still travels; `answers<T>()` keeps each procedure's
 * answer typed as the service declares it, and fails to compile when the service's type no
 * longer fits the schema.
 */
import { z } from "zod";
import type { BranchesView, CommitResult, PromoteResult } from "./branches";
import type { ConflictView, ResolveResult } from "./conflicts";
import type { PullRequestResult } from "./pull-request";
import type { GitStatus, SyncResult } from "./service";

/** A schema's type without the index signatures loose objects add: the fields it declares. */
type Declared<T> = T extends readonly (infer U)[] ? Declared<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Declared<T[K]> } : T;

/** `schema`, typed as `T` for the procedure; compiles only when every `T` fits the fields the schema declares. */
const answers =
  <T>() =>
  <S extends z.ZodType>(schema: S & ([T] extends [Declared<z.input<S>>] ? unknown : never)): z.ZodType<T> =>
    schema as unknown as z.ZodType<T>;

const sha = z
  .string()
  .regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/)
  .describe("A commit's full hash");
const isoTime = (what: string) => z.iso.datetime().describe(`ISO 8601 time ${what}`);

const problem = z
  .looseObject({
    path: z.string().describe("The file, from the repository's root"),
    line: z.number().int().nullable().describe("The line at fault, when known"),
    message: z.string(),
  })
  .meta({ id: "GitFileProblem" });

const conflictFields = {
  path: z.string(),
  slug: z.string(),
  message: z.string().describe('"changed in Atrium and in git since the last sync", or "… removed in git …"'),
  commitSha: sha.describe("The trunk commit that holds git's side"),
};
const conflict = z.looseObject(conflictFields).meta({ id: "GitConflict" });

const syncResult = z
  .looseObject({
    commitSha: sha.describe("The trunk commit now in sync"),
    imported: z.array(z.string()).describe("Slugs of the dashboards imported as a new version"),
    removed: z.array(z.string()).describe("Slugs of the dashboards deleted because their file was removed"),
    unchanged: z.number().int().nonnegative(),
    problems: z.array(problem).describe("Files not imported: path, line and message"),
    conflicts: z.array(conflict).describe("Files left alone: changed in Atrium and in git since the last sync"),
  })
  .meta({ id: "GitSyncResult" });

export const syncOutput = answers<SyncResult>()(syncResult);

export const statusOutput = answers<GitStatus>()(
  z
    .discriminatedUnion("connected", [
      z.looseObject({ connected: z.literal(false) }),
      z.looseObject({
        connected: z.literal(true),
        remoteUrl: z.string(),
        subdirectory: z.string().describe('The folder holding dashboards/ and atrium.yaml ("" for the root)'),
        trunk: z.string().describe("The branch viewers see"),
        hasToken: z.boolean().describe("Whether a token is stored (never returned)"),
        auth: z.enum(["token", "github_app", "github_oauth"]).describe("How the repository is reached: a token (or none), the GitHub App's installation, or a person's GitHub OAuth grant"),
        installationId: z.number().int().nullable().describe("The GitHub App installation, for auth github_app"),
        oauthPerson: z.string().nullable().describe("For auth github_oauth: the name of the person whose GitHub authorization the connection uses (never a token)"),
        hasWebhook: z.boolean().describe("Whether a push webhook is set up (its secret is never returned)"),
        connectedAt: isoTime("the repository was connected"),
        trunkSha: sha.nullable().describe("The trunk commit last synced"),
        syncedAt: z.iso.datetime().nullable().describe("ISO 8601 time of the last sync"),
        lastError: z.string().nullable().describe("Why the last background sync failed, until one succeeds"),
        problems: z.array(problem),
        conflicts: z.array(conflict),
        settings: z
          .looseObject({ version: z.literal(1).optional(), description: z.string().optional(), defaultDashboard: z.string().optional() })
          .describe("The project settings from atrium.yaml"),
        files: z.array(z.looseObject({ path: z.string(), slug: z.string(), commitSha: sha })).describe("Each dashboard file with the commit it was imported from"),
      }),
    ])
    .meta({ id: "GitStatus" }),
);

const fileChange = { status: z.string().describe("A (added), M (modified), D (deleted), as git diff says"), path: z.string() };

export const branchesOutput = answers<BranchesView>()(
  z
    .looseObject({
      trunk: z.string(),
      trunkSha: sha.nullable(),
      myBranch: z.string().nullable().describe("The caller's work branch (null before their first commit)"),
      branches: z.array(
        z.looseObject({
          name: z.string(),
          sha: sha.nullable(),
          ahead: z.number().int().nonnegative().describe("Commits on the branch that the trunk lacks"),
          behind: z.number().int().nonnegative().describe("Trunk commits the branch lacks"),
          mine: z.boolean(),
          changed: z.array(z.looseObject(fileChange)).describe("Files that differ from the trunk since the branches parted"),
          pullRequestUrl: z.string().nullable(),
        }),
      ),
      changes: z
        .array(
          z.looseObject({
            slug: z.string(),
            path: z.string(),
            kind: z.enum(["added", "modified", "deleted"]),
            stale: z.boolean().describe("Git changed the file since the edit started: a commit refuses it until the conflict is resolved"),
          }),
        )
        .describe("The caller's saved changes not yet committed"),
      pullRequests: z.boolean().describe("Whether a branch may be promoted as a GitHub pull request"),
    })
    .meta({ id: "GitBranches" }),
);

export const commitOutput = answers<CommitResult>()(
  z
    .looseObject({
      branch: z.string().describe("The caller's work branch"),
      commitSha: sha.nullable().describe("The branch's new head (its old head when there was nothing to commit)"),
      committed: z.array(z.looseObject({ slug: z.string(), path: z.string(), kind: z.enum(["added", "modified", "deleted"]) })),
    })
    .meta({ id: "GitCommit" }),
);

export const promoteOutput = answers<PromoteResult | PullRequestResult>()(
  z
    .union([
      z.looseObject({
        branch: z.string(),
        mode: z.enum(["fast-forward", "merge", "up-to-date"]),
        trunkSha: sha.describe("The trunk's new head"),
        sync: syncResult.describe("The trunk's sync right after"),
      }),
      z.looseObject({
        branch: z.string(),
        mode: z.literal("pull-request"),
        url: z.string().describe("The pull request on GitHub"),
        number: z.number().int().positive(),
        reused: z.boolean().describe("An open pull request for the branch was already there"),
        changed: z.array(z.looseObject({ ...fileChange, slug: z.string().nullable() })),
      }),
    ])
    .meta({ id: "GitPromotion" }),
);

export const conflictsOutput = answers<{ conflicts: ConflictView[] }>()(
  z
    .looseObject({
      conflicts: z.array(
        z.looseObject({
          ...conflictFields,
          base: z.string().nullable().describe("The file as last imported"),
          theirs: z.string().nullable().describe("The trunk's file (null: removed in git)"),
          mine: z.string().nullable().describe("The app's text (null: deleted in the app)"),
        }),
      ),
    })
    .meta({ id: "GitConflicts" }),
);

export const resolutionOutput = answers<ResolveResult>()(
  z
    .looseObject({
      path: z.string(),
      slug: z.string(),
      take: z.enum(["theirs", "mine", "merged"]),
      version: z.number().int().nullable().describe("The dashboard's version after the resolution (null when it is deleted)"),
      remaining: z.number().int().nonnegative().describe("Conflicts still open"),
    })
    .meta({ id: "GitConflictResolution" }),
);
