import { HttpStatusCode } from "@solidjs/start";
import { Title } from "@solidjs/meta";
import { onMount } from "solid-js";
import { Button, Link } from "./components";
import { AlertIcon } from "./icons";

/**
 * What the shell shows when a page throws: a plain-language message and a way out. Details
 * go to the console (and, later, client error capture), never onto the screen.
 */
export function ErrorPanel(props: { error: unknown; reset: () => void }) {
  onMount(() => console.error("Page failed to render:", props.error));
  return (
    <section class="panel error-panel" role="alert" aria-labelledby="error-title">
      <HttpStatusCode code={500} />
      <Title>Something went wrong · Atrium</Title>
      <div class="error-panel__icon" aria-hidden="true">
        <AlertIcon class="icon icon--lg" />
      </div>
      <h1 id="error-title" class="error-panel__title">
        Something went wrong
      </h1>
      <p class="error-panel__text">
        This page ran into a problem and could not be shown. Your work elsewhere is safe. Try again, and if it keeps
        happening, go back to Home.
      </p>
      <div class="error-panel__actions">
        <Button variant="primary" onClick={() => props.reset()}>
          Try again
        </Button>
        <Link href="/" variant="button-secondary">
          Go to Home
        </Link>
      </div>
    </section>
  );
}
