/**
 * Background jobs on pg-boss, in the same PostgreSQL database as everything else.
 *
 * Plugins declare jobs with `defineJob`; the kernel creates their queues, schedules cron jobs
 * and, in processes that work jobs (the web process by default, `atrium worker` always), runs
 * their handlers with retries and exponential backoff.
 */
import { PgBoss, fromKysely, type Job as BossJob } from "pg-boss";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "./db/schema";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";

/** What a job handler receives besides its data. */
export interface JobContext<K = unknown> {
  kernel: K;
  log: Logger;
  jobId: string;
  /** 0 on the first attempt, 1 on the first retry, … */
  retryCount: number;
  /** Aborted when the job expires or the worker stops. */
  signal: AbortSignal;
}

export interface JobOptions {
  /** Cron expression (UTC) to enqueue the job on a schedule. */
  schedule?: string;
  /** Retries after the first failure. Default 3. */
  retryLimit?: number;
  /** Seconds before the first retry; doubled (with jitter) on each further one. Default 5. */
  retryDelaySeconds?: number;
  /** Seconds a single run may take before it counts as failed. Default 15 minutes. */
  expireInSeconds?: number;
  /**
   * Runs of this job one process works at once. Default 1. Raise it for short, I/O-bound jobs a
   * person waits on (a burst of them is then worked side by side instead of one after another).
   */
  concurrency?: number;
}

/** A job: its queue name, handler and options. `Data` types `enqueue`. */
export interface JobDefinition<Name extends string = string, Data = unknown> extends JobOptions {
  readonly name: Name;
  run(data: Data, ctx: JobContext<any>): Promise<void>;
}

const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/** Declares a job. Names are dotted lower-case: `sharing.expire-links`. */
export function defineJob<const Name extends string, Data = Record<string, never>>(
  name: Name,
  definition: Omit<JobDefinition<Name, Data>, "name">,
): JobDefinition<Name, Data> {
  if (!JOB_NAME.test(name)) throw new Error(`Job name "${name}" must be dotted lower-case words, e.g. "sharing.expire-links"`);
  return { ...definition, name };
}

export interface EnqueueOptions {
  /** Enqueue inside this transaction: the job exists if and only if the transaction commits. */
  db?: Kysely<KernelDatabase>;
  /** At most one queued job with this key at a time. */
  singletonKey?: string;
  /** Run no earlier than this. */
  startAfter?: Date;
  /** The job's id (a UUID), when the caller records it before enqueueing (saves a write). */
  id?: string;
}

export class JobRunner<K = unknown> {
  private boss: PgBoss | null = null;
  private stopping = false;
  private readonly jobs = new Map<string, JobDefinition<string, any>>();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  register(job: JobDefinition<string, any>): void {
    if (this.jobs.has(job.name)) throw new Error(`Job "${job.name}" is declared twice`);
    this.jobs.set(job.name, job);
  }

  private opening: Promise<PgBoss> | null = null;

  /**
   * Starts pg-boss itself (its schema on first use, its connections). Idempotent; the kernel
   * calls it early so this runs alongside its own migrations, then `start` once the jobs are
   * registered.
   */
  open(): Promise<void> {
    this.opening ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.url,
        schema: "pgboss",
        application_name: "atrium-jobs",
        useListenNotify: true,
        max: 5,
      });
      boss.on("error", (err: Error) => {
        // Connections end during shutdown; that is not an error worth a log line.
        if (!this.stopping) this.log.error({ err: err.message }, "job system error");
      });
      boss.on("warning", (w: { message?: string }) => this.log.warn({ warning: w.message }, "job system warning"));
      await boss.start();
      if (this.stopping) {
        await boss.stop({ graceful: false }).catch(() => {});
        throw new Error("The job system was stopped while it started");
      }
      this.boss = boss;
      return boss;
    })();
    return this.opening.then(() => {});
  }

  /** Opens pg-boss if not yet open, then its queues and schedules (and workers when `work`). */
  async start(options: { kernel: K; work: boolean }): Promise<void> {
    await this.open();
    const boss = this.boss!;

    // One read of every queue, then each set up on its own (they share nothing), all at once: a
    // start costs the slowest queue's round trips, not the sum of every queue's. A queue whose
    // stored options already match is not written again.
    const stored = new Map((await boss.getQueues([...this.jobs.keys()])).map((q) => [q.name, q]));
    await Promise.all(
      [...this.jobs.values()].map(async (job) => {
        const queueOptions = {
          retryLimit: job.retryLimit ?? 3,
          retryDelay: job.retryDelaySeconds ?? 5,
          retryBackoff: true,
          expireInSeconds: job.expireInSeconds ?? 900,
          notify: true,
        };
        const existing = stored.get(job.name);
        if (!existing) await boss.createQueue(job.name, queueOptions);
        else if (!sameQueueOptions(existing, queueOptions)) await boss.updateQueue(job.name, queueOptions);
        if (job.schedule) await boss.schedule(job.name, job.schedule, {}, { tz: "UTC" });
        else await boss.unschedule(job.name).catch(() => {});
        if (options.work) await this.work(job, options.kernel);
      }),
    );
  }

  private async work(job: JobDefinition<string, any>, kernel: K): Promise<void> {
    const boss = this.boss!;
    const concurrency = Math.max(1, Math.floor(job.concurrency ?? 1));
    for (let slot = 0; slot < concurrency; slot++) {
      // New jobs wake an idle worker at once (LISTEN/NOTIFY); retries whose backoff has passed
      // are found by the 2 s poll. A worker that just finished a job looks again at once: a
      // burst of jobs sent together (whose notifications arrived while it was busy) is drained
      // back to back, not one per poll.
      const workerId: string = await boss.work(job.name, { batchSize: 1, pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 2 }, async (batch: BossJob<unknown>[]) => {
        try {
          for (const item of batch) await this.runOne(job, kernel, item);
        } finally {
          // Set once `work` returns, before the first fetch can hand this worker a job.
          boss.notifyWorker(workerId);
        }
      });
    }
  }

  private async runOne(job: JobDefinition<string, any>, kernel: K, item: BossJob<unknown>): Promise<void> {
    const log = this.log.child({ job: job.name, jobId: item.id, retryCount: item.retryCount });
    const started = performance.now();
    try {
      await job.run(item.data, { kernel, log, jobId: item.id, retryCount: item.retryCount, signal: item.signal });
      this.metrics.jobRuns.inc({ queue: job.name, outcome: "completed" });
    } catch (err) {
      this.metrics.jobRuns.inc({ queue: job.name, outcome: "failed" });
      log.warn({ err: err instanceof Error ? err.message : String(err) }, "job attempt failed");
      throw err;
    } finally {
      this.metrics.jobDuration.observe({ queue: job.name }, (performance.now() - started) / 1000);
    }
  }

  /** Names of the registered jobs. */
  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Enqueues a run of `job`. Returns the job id, or null when a singleton is already queued. */
  async enqueue<Data>(job: JobDefinition<string, Data>, data: Data, options: EnqueueOptions = {}): Promise<string | null> {
    if (!this.boss) throw new Error("The job system is not started");
    if (!this.jobs.has(job.name)) throw new Error(`Job "${job.name}" is not registered by any installed plugin`);
    return this.boss.send(job.name, (data ?? {}) as object, {
      ...(options.db ? { db: fromKysely(options.db) } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.id ? { id: options.id } : {}),
    });
  }

  /** The state of one job, for tests and the admin UI. */
  async getJob(name: string, id: string): Promise<{ state: string; retryCount: number; output: unknown } | null> {
    if (!this.boss) throw new Error("The job system is not started");
    const job = await this.boss.getJobById(name, id);
    return job ? { state: job.state, retryCount: job.retryCount, output: job.output } : null;
  }

  /** Stops pg-boss (waiting for an open in progress). Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.opening?.catch(() => {});
    const boss = this.boss;
    this.boss = null;
    await boss?.stop({ graceful: true, timeout: 10_000 });
  }
}

/** Whether a stored queue already has `wanted`'s options (then updating it would change nothing). */
function sameQueueOptions(stored: object, wanted: Record<string, unknown>): boolean {
  const have = stored as Record<string, unknown>;
  return Object.entries(wanted).every(([key, value]) => have[key] === value);
}
