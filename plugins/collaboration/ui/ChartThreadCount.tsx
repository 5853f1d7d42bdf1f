/** Slot `chart.card.badges`: how many open threads a chart has, as a button opening the panel at them. */
import { Show } from "solid-js";
import "./collaboration.css";
import { useDashboardComments } from "./use-comments";

export default function ChartThreadCount(props: { chartId: string }) {
  const comments = useDashboardComments();
  const count = () => comments()?.store.counts()?.charts[props.chartId] ?? 0;
  return (
    <Show when={count() > 0}>
      <button
        type="button"
        class="collab-count"
        aria-label={`${count()} open comment thread${count() === 1 ? "" : "s"} on this chart`}
        onClick={() => void comments()?.store.openPanel(props.chartId)}
      >
        💬 {count()}
      </button>
    </Show>
  );
}
