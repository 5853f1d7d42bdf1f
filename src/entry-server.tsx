// @refresh reload
import { getRequestEvent } from "solid-js/web";
import { createHandler, StartServer } from "@solidjs/start/server";
import { plugins } from "./plugins";
import { pluginUis } from "./plugins.ui";
import { pageBoot, pageLookup, pageVisibility } from "./server/page-visibility";
import { provideServerPageBoot } from "./ui/boot";
import { provideServerPageLookup, provideServerPageVisibility } from "./ui/page-status";
import { checkUiHalves } from "./ui/plugin-ui";
import { nonceOf } from "./server/security";
import { themeBootScript } from "./ui/theme";

// Every UI half belongs to an installed server plugin, in the same order (ADR 005).
checkUiHalves(
  plugins.map((plugin) => plugin.id),
  pluginUis.map((ui) => ui.id),
);

// Org and project pages answer 404 when what they show is not visible to the caller.
provideServerPageVisibility(pageVisibility);
provideServerPageLookup(pageLookup);
// A page's HTML carries the answers to its first calls (src/ui/boot.tsx).
provideServerPageBoot(pageBoot);

// The response's nonce (set by the middleware with its Content-Security-Policy) goes on every
// script SolidStart writes: the manifest, the entry, hydration data.
export default createHandler(
  () => (
  <StartServer
    document={({ assets, children, scripts }) => (
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          {/* Before any stylesheet: the first paint already uses the chosen theme. A constant, no input. */}
          {/* eslint-disable-next-line solid/no-innerhtml */}
          <script nonce={nonceOf(getRequestEvent())} innerHTML={themeBootScript} />
          {assets}
        </head>
        <body>
          <div id="app">{children}</div>
          {scripts}
        </body>
      </html>
    )}
  />
  ),
  (event) => ({ nonce: nonceOf(event) }),
);
