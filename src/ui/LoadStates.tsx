import { Title } from "@solidjs/meta";
import { Match, Switch, type Accessor, type JSX, type Resource } from "solid-js";
import { Button, Link, Spinner } from "./components";
import { CompassIcon } from "./icons";
import { problemOf, type Problem } from "./problems";
import { requiredSignIn, SignInRequiredAction } from "./settings/SignInRequired";

/** A page-sized spinner. */
export function PageLoading(props: { label: string }) {
  return (
    <div class="page-loading">
      <Spinner label={props.label} />
    </div>
  );
}

/**
 * "Not found" for something the person may not see: the server answers the same whether it
 * does not exist or they are not a member, and so does this.
 */
export function NotFoundPanel(props: { title: string; text: string }) {
  return (
    <section class="not-found">
      <Title>{props.title} · Atrium</Title>
      <div class="not-found__icon" aria-hidden="true">
        <CompassIcon class="icon icon--lg" />
      </div>
      <h1 class="not-found__title">{props.title}</h1>
      <p class="not-found__text">{props.text}</p>
      <Link href="/" variant="button-primary">
        Go to Home
      </Link>
    </section>
  );
}

/** A member who may not open something (403): the server's reason, and the way home. */
export function ForbiddenPanel(props: { title: string; problem: Problem }) {
  return (
    <section class="not-found" role="alert">
      <Title>{props.title} · Atrium</Title>
      <h1 class="not-found__title">{props.title}</h1>
      <p class="not-found__text">{props.problem.message}</p>
      <Link href="/" variant="button-primary">
        Go to Home
      </Link>
    </section>
  );
}

/** A load that failed for another reason (offline, server error), with a retry. */
export function LoadFailed(props: { problem: Problem; onRetry: () => void; what: string }) {
  return (
    <section class="panel error-panel" role="alert">
      <h1 class="error-panel__title">We couldn’t load {props.what}</h1>
      <p class="error-panel__text">{props.problem.message}</p>
      <div class="error-panel__actions">
        <SignInRequiredAction problem={props.problem} />
        <Button variant={requiredSignIn(props.problem) ? "secondary" : "primary"} onClick={() => props.onRetry()}>
          Try again
        </Button>
      </div>
    </section>
  );
}

/**
 * A browser resource's three faces: a spinner until it first arrives, the failure with a
 * retry, then `children` with the value (kept on screen while it reloads).
 */
export function Loaded<T>(props: { of: Resource<T>; what: string; onRetry: () => void; children: (value: Accessor<NonNullable<T>>) => JSX.Element }) {
  return (
    <Switch fallback={<PageLoading label={`Loading ${props.what}…`} />}>
      <Match when={props.of.error as unknown}>
        <LoadFailed what={props.what} problem={problemOf(props.of.error)} onRetry={props.onRetry} />
      </Match>
      <Match when={props.of.state !== "pending" && props.of.state !== "unresolved" && props.of.latest}>{(value) => props.children(value)}</Match>
    </Switch>
  );
}
