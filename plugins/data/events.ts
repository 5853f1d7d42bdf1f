/** The data plugin's kernel events (declaration merging on AtriumEvents). */
export {};

declare module "~/kernel/events" {
  interface AtriumEvents {
    /** An import's progress, every PROGRESS_EVERY rows and once at the end (`done`). */
    "data.import.progress": { importId: string; table: string; rows: number; rejected: number; bytes: number; done: boolean };
    /** An org's warehouse data changed: every instance forgets cached results of it. */
    "data.warehouse.changed": { table: string };
  }
}
