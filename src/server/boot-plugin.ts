/**
 * Nitro server plugin: boots the kernel when the server starts, so a bad configuration or a
 * failing migration stops the process at once with a message naming it, instead of failing
 * the first request. Stops the kernel (and embedded PostgreSQL) when the server closes.
 */
import type { NitroApp } from "nitropack/types";
import { getKernel } from "./kernel";

// A plain function (what defineNitroPlugin returns): importing nitropack/runtime here breaks
// `vinxi dev`, which loads this file outside Nitro's virtual modules.
export default function bootAtrium(nitroApp: NitroApp) {
  getKernel().then(
    (kernel) => {
      kernel.log.info({ port: kernel.config.port, publicUrl: kernel.config.publicUrl }, "Atrium is ready");
      nitroApp.hooks.hook("close", () => kernel.stop());
      // Nitro's graceful shutdown does not cover processes started without a listener (tests).
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          kernel.stop().finally(() => process.exit(0));
        });
      }
    },
    (err: unknown) => {
      console.error(`Atrium could not start.\n${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
