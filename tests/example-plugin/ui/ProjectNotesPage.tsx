import { Title } from "@solidjs/meta";
import { useCurrentOrg, useCurrentProject } from "~/ui/workspace";

/**
 * The example plugin's project page (`layout: "project"`, path `notes`): the project frame
 * draws the project's header and tabs and the loading and not-found states, so the page only
 * reads the loaded org and project.
 */
export default function ProjectNotesPage() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  return (
    <section class="stack">
      <Title>Notes · {project().name} · Atrium</Title>
      <p class="muted">
        Notes about {project().name}, kept with {org().name}’s other notes.
      </p>
    </section>
  );
}
