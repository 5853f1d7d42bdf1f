import { useNavigate } from "@solidjs/router";
import { createEffect, Show, type JSX } from "solid-js";
import { useSession } from "./session";
import { Slot, useSlot } from "./Slot";

/** A query parameter's first value (`?email=a&email=b` → "a"), or "". */
export function firstParam(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

/** Moves on to `next` as soon as someone is signed in (already, or just now). */
export function useContinueWhenSignedIn(next: () => string): void {
  const session = useSession();
  const navigate = useNavigate();
  createEffect(() => {
    if (session.user()) navigate(next(), { replace: true });
  });
}

/** The provider plugins' buttons (`login.providers`), then a divider before the password form. */
export function LoginProviders(props: { returnTo: string; divider: string }) {
  const providers = useSlot(() => "login.providers");
  return (
    <Show when={providers().length > 0}>
      <div class="auth__providers">
        <Slot name="login.providers" props={{ returnTo: props.returnTo }} />
      </div>
      <p class="auth__divider">
        <span>{props.divider}</span>
      </p>
    </Show>
  );
}

/**
 * The centred card of the sign-in, sign-up, password and invitation pages: a heading, a
 * sentence under it, the form, and a footer line (usually a link to the other page).
 */
export function AuthCard(props: { title: string; lede?: JSX.Element; children: JSX.Element; footer?: JSX.Element }) {
  return (
    <div class="auth">
      <section class="panel auth__card" aria-labelledby="auth-title">
        <header class="auth__header">
          <h1 id="auth-title" class="auth__title">
            {props.title}
          </h1>
          <Show when={props.lede}>
            <p class="auth__lede">{props.lede}</p>
          </Show>
        </header>
        {props.children}
      </section>
      <Show when={props.footer}>
        <p class="auth__footer">{props.footer}</p>
      </Show>
    </div>
  );
}
