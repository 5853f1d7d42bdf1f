/**
 * What the onboarding REST operations answer (the setup status and the setup task board under
 * /api/v1/orgs/{orgId}/setup…), as zod schemas: the OpenAPI document is generated from them.
 * Objects are loose, so a field added later still travels; the casts keep the procedures'
 * TypeScript answers as the services declare them.
 */
import { z } from "zod";
import { TASK_IDS } from "./catalog";
import type { RunView, TaskBoard } from "./runs";
import { STAGES, type SetupStatus } from "./status";

const isoTime = (what: string) => z.string().describe(`ISO 8601 time ${what}`);

const runFields = {
  id: z.uuid().describe("The run's id (runId)"),
  task: z.enum(TASK_IDS),
  label: z.string(),
  status: z.string().describe("queued, running, succeeded, failed or cancelled"),
  attempts: z.number().int(),
  params: z.record(z.string(), z.unknown()),
  reasonCode: z.string().nullable(),
  message: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: isoTime("it was queued"),
  startedAt: isoTime("it started").nullable(),
  finishedAt: isoTime("it finished").nullable(),
  retryAt: isoTime("it is tried again").nullable(),
};

const run = z.looseObject(runFields).meta({ id: "SetupTaskRun" });

export const runOutput = run as unknown as z.ZodType<RunView>;

export const startedOutput = z.looseObject({ run, created: z.boolean().describe("false: the task's active run, returned because idempotent was true") }) as unknown as z.ZodType<{
  run: RunView;
  created: boolean;
}>;

const evidence = z.looseObject({
  status: z.string().describe("ok, warn, fail or unknown"),
  reasonCode: z.string(),
  message: z.string(),
  subject: z.string(),
  payload: z.record(z.string(), z.unknown()),
  observedAt: isoTime("it was observed"),
});

export const taskBoardOutput = z
  .looseObject({
    tasks: z.array(
      z
        .looseObject({
          id: z.enum(TASK_IDS),
          label: z.string(),
          description: z.string(),
          evidence: evidence.nullable(),
          badge: z.string().describe("ok, warn, fail or unknown"),
          activeRun: run.nullable(),
          lastRun: run.nullable(),
        })
        .meta({ id: "SetupTask" }),
    ),
    canManage: z.boolean(),
    readOnlyReason: z.string().nullable(),
  })
  .meta({ id: "SetupTaskBoard" }) as unknown as z.ZodType<TaskBoard>;

export const setupStatusOutput = z
  .looseObject({
    stage: z.enum(STAGES),
    stages: z.array(z.looseObject({ id: z.enum(STAGES), label: z.string(), done: z.boolean() })),
    detail: z.enum(["never_run", "failing"]).nullable(),
    nextStep: z
      .looseObject({
        what: z.string(),
        who: z.looseObject({ capability: z.string(), roles: z.array(z.string()), you: z.boolean() }),
        link: z.string(),
        tool: z.looseObject({ name: z.string(), arguments: z.record(z.string(), z.unknown()) }).nullable(),
      })
      .nullable(),
    facts: z.looseObject({
      projects: z.number().int(),
      dataSources: z.number().int(),
      warehouseTables: z.number().int().nullable(),
      dashboards: z.number().int(),
      newestRun: z.looseObject({ status: z.string(), observedAt: z.string() }).nullable(),
    }),
    computedAt: isoTime("it was computed"),
  })
  .meta({ id: "SetupStatus" }) as unknown as z.ZodType<SetupStatus>;
