/**
 * The server's one API handler (./api.ts) over its kernel, router and plugins: used by the
 * Nitro plugin in the production build (./api-nitro.ts) and by the request middleware under
 * `vinxi dev`.
 */
import { appRouter, plugins } from "~/plugins";
import { createApiHandler } from "./api";
import { getKernel } from "./kernel";

export const serveApi = createApiHandler({ kernel: getKernel, router: appRouter, plugins });
