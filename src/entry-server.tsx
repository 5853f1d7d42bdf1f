// @refresh reload
import { createHandler, StartServer } from "@solidjs/start/server";
import { themeBootScript } from "./ui/theme";

export default createHandler(() => (
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
          <script innerHTML={themeBootScript} />
          {assets}
        </head>
        <body>
          <div id="app">{children}</div>
          {scripts}
        </body>
      </html>
    )}
  />
));
