import { createSignal, onCleanup, onMount, Show } from "solid-js";
import { Slot, useSlot } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";

/** How often step 5 looks for the dashboard the assistant made. */
const LOOK_MS = 3_000;

/** The question the assistant starts from, from what step 3 loaded. */
export function firstDashboardPrompt(data: { choice?: string; table?: string } | undefined): string {
  const what = data?.choice === "sample" ? "the sample shop's data (schema sample: orders, customers, products)" : data?.choice === "csv" && data.table ? `the table ${data.table} I just imported` : "the data I just connected";
  return `Build my first dashboard from ${what}: a few key numbers and a chart over time. Look at the tables first, then create the dashboard in this project.`;
}

/**
 * Step 5's other way: the assistant's panel (the `workspace.assistant` slot, from the assistant
 * plugin) with a question to start from. Without a model configured the panel says how to set
 * one up. `onDashboard` is told once the org has a dashboard, however it was made.
 */
export function AssistantBuild(props: { projectId: string | null; prompt: string; onDashboard: (has: boolean) => void }) {
  const org = useCurrentOrg();
  const assistant = useSlot(() => "workspace.assistant" as const);
  const [configured, setConfigured] = createSignal<boolean | null>(null);
  let timer: ReturnType<typeof setInterval> | undefined;
  const look = () =>
    void trpc.onboarding.status
      .query({ orgId: org().id })
      // eslint-disable-next-line solid/reactivity -- a timer's callback: it reads the current props each time
      .then((s) => props.onDashboard(s.facts.dashboards > 0))
      .catch(() => {});
  onMount(() => {
    look();
    timer = setInterval(look, LOOK_MS);
  });
  onCleanup(() => clearInterval(timer));
  return (
    <div class="stack">
      <Show
        when={assistant().length > 0}
        fallback={
          <p class="muted" role="note">
            The assistant is not available to you here. Create the dashboard from a template instead.
          </p>
        }
      >
        <Show when={configured() !== false}>
          <p class="muted">The question below is ready in the assistant: read it, change it if you like, and send it. Continue once your dashboard exists.</p>
        </Show>
        <Slot name="workspace.assistant" props={{ projectId: props.projectId, place: "org.home", prompt: props.prompt, onStatus: (s) => setConfigured(s.configured) }} />
      </Show>
    </div>
  );
}
