/**
 * Short messages about actions that have no form of their own to show them in (a menu's
 * Sign out, a copied link). Errors stay until dismissed; successes fade after a few seconds.
 */
import { createContext, createSignal, For, onCleanup, useContext, type ParentProps } from "solid-js";
import { IconButton } from "./components";
import { AlertIcon, CheckIcon, CloseIcon } from "./icons";
import { problemOf } from "./problems";

interface Toast {
  id: number;
  tone: "success" | "error";
  title: string;
  text?: string;
}

export interface Toasts {
  success(title: string, text?: string): void;
  /** `error` is a thrown value; its message becomes the text. */
  error(title: string, error?: unknown): void;
}

const ToastContext = createContext<Toasts>({ success: () => {}, error: () => {} });

const SUCCESS_MS = 5000;

export function ToastProvider(props: ParentProps) {
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  onCleanup(() => timers.forEach(clearTimeout));
  let next = 1;
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  const push = (toast: Omit<Toast, "id">) => {
    const id = next++;
    setToasts((list) => [...list.slice(-3), { ...toast, id }]);
    if (toast.tone === "success") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        dismiss(id);
      }, SUCCESS_MS);
      timers.add(timer);
    }
  };
  const api: Toasts = {
    success: (title, text) => push({ tone: "success", title, text }),
    error: (title, error) => push({ tone: "error", title, text: error === undefined ? undefined : problemOf(error).message }),
  };
  return (
    <ToastContext.Provider value={api}>
      {props.children}
      <div class="toasts">
        {/* Polite for successes, assertive for errors: two live regions. */}
        <div aria-live="polite" class="toasts__list">
          <For each={toasts().filter((t) => t.tone === "success")}>{(t) => <ToastView toast={t} onDismiss={() => dismiss(t.id)} />}</For>
        </div>
        <div role="alert" class="toasts__list">
          <For each={toasts().filter((t) => t.tone === "error")}>{(t) => <ToastView toast={t} onDismiss={() => dismiss(t.id)} />}</For>
        </div>
      </div>
    </ToastContext.Provider>
  );
}

function ToastView(props: { toast: Toast; onDismiss: () => void }) {
  return (
    <div class={`toast toast--${props.toast.tone}`}>
      {props.toast.tone === "success" ? <CheckIcon class="icon toast__icon" /> : <AlertIcon class="icon toast__icon" />}
      <div class="toast__body">
        <p class="toast__title">{props.toast.title}</p>
        {props.toast.text ? <p class="toast__text">{props.toast.text}</p> : null}
      </div>
      <IconButton label="Dismiss" class="toast__close" onClick={() => props.onDismiss()}>
        <CloseIcon class="icon" />
      </IconButton>
    </div>
  );
}

export function useToasts(): Toasts {
  return useContext(ToastContext);
}
