import { Title } from "@solidjs/meta";
import type { RouteDefinition } from "@solidjs/router";
import { HttpStatusCode } from "@solidjs/start";
import { Link } from "~/ui/components";
import { CompassIcon } from "~/ui/icons";
import type { RouteInfo } from "~/ui/plugin-ui";

export const route = { info: { breadcrumb: "Page not found" } satisfies RouteInfo } satisfies RouteDefinition;

export default function NotFound() {
  return (
    <section class="not-found">
      <HttpStatusCode code={404} />
      <Title>Page not found · Atrium</Title>
      <div class="not-found__icon" aria-hidden="true">
        <CompassIcon class="icon icon--lg" />
      </div>
      <p class="eyebrow">404</p>
      <h1 class="not-found__title">We couldn’t find that page</h1>
      <p class="not-found__text">
        The address may be mistyped, or the page may have moved. If someone sent you a link, it may also be one you don’t have
        access to.
      </p>
      <Link href="/" variant="button-primary">
        Go to Home
      </Link>
    </section>
  );
}
