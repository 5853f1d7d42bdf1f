import { createEffect, createUniqueId, on, onCleanup, Show, type JSX } from "solid-js";
import { CloseIcon } from "../icons";
import { IconButton } from "./IconButton";

export interface DialogProps {
  open: boolean;
  /** Called when the person dismisses it (Escape, the close button, a Cancel button). */
  onClose: () => void;
  title: string;
  /** One or two sentences under the title; read out when the dialog opens. */
  description?: JSX.Element;
  /** `danger` gives the title the danger color, for destructive confirmations. */
  tone?: "default" | "danger";
  children: JSX.Element;
}

const FOCUSABLE = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href]';

/**
 * A modal dialog on the native `<dialog>` (`showModal`): the rest of the page is inert, Tab
 * stays inside, Escape closes. Focus goes to the element marked `data-autofocus`, else the
 * first field or button in the body, and returns to what was focused before when it closes.
 */
export function Dialog(props: DialogProps) {
  let dialog!: HTMLDialogElement;
  let body!: HTMLDivElement;
  let returnTo: HTMLElement | null = null;
  const titleId = `dialog-${createUniqueId()}`;
  const descriptionId = `${titleId}-description`;

  createEffect(
    on(
      () => props.open,
      (open) => {
        if (open && !dialog.open) {
          returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          dialog.showModal();
          const target = body.querySelector<HTMLElement>("[data-autofocus]") ?? body.querySelector<HTMLElement>(FOCUSABLE);
          target?.focus();
        } else if (!open && dialog.open) {
          dialog.close();
        }
      },
    ),
  );

  const restoreFocus = () => {
    const target = returnTo;
    returnTo = null;
    if (target?.isConnected) target.focus();
  };

  onCleanup(() => {
    if (dialog?.open) dialog.close();
  });

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={titleId}
      aria-describedby={props.description ? descriptionId : undefined}
      onCancel={(event) => {
        // Escape: let the owner decide (it may be busy), and keep the state in one place.
        event.preventDefault();
        props.onClose();
      }}
      onClose={() => {
        if (props.open) props.onClose();
        restoreFocus();
      }}
    >
      <div class="dialog__header">
        <h2 id={titleId} class="dialog__title" classList={{ "dialog__title--danger": props.tone === "danger" }}>
          {props.title}
        </h2>
        <IconButton label="Close" class="dialog__close" onClick={() => props.onClose()}>
          <CloseIcon class="icon" />
        </IconButton>
      </div>
      <Show when={props.description}>
        <div id={descriptionId} class="dialog__description">
          {props.description}
        </div>
      </Show>
      <div ref={body} class="dialog__body">
        {/* Rendered only while open: every opening starts from a clean form. */}
        <Show when={props.open}>{props.children}</Show>
      </div>
    </dialog>
  );
}
