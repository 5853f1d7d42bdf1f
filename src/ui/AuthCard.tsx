import { Show, type JSX } from "solid-js";

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
