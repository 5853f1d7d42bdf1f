/** The sharing router as the browser calls it; shapes are the router's own output types. */
import type { RouterOutputs } from "~/ui/data";
import { trpc } from "~/ui/trpc";

type Outputs = RouterOutputs["sharing"];

export type AccessEntry = Outputs["access"]["entries"][number];
export type SharedItem = Outputs["sharedWithMe"]["items"][number];
export type LinkSummary = Outputs["links"]["list"]["links"][number];

export const sharingApi = trpc.sharing;
