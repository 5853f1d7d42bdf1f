import type { SlotProps } from "~/ui/plugin-ui";
import { Link } from "~/ui/components";

/** A `dashboard.actions` contribution: receives the slot's typed props. */
export default function DashboardNotesAction(props: SlotProps["dashboard.actions"]) {
  return (
    <Link href={`/example/notes?dashboard=${encodeURIComponent(props.dashboardSlug)}`} variant="button-secondary">
      Notes about this dashboard
    </Link>
  );
}
