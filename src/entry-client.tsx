// @refresh reload
import { mount, StartClient } from "@solidjs/start/client";
import { pluginUi } from "./plugins.ui";
import { preloadPage } from "./ui/preload-page";

// The page's code downloads while the shell hydrates, not after.
preloadPage(pluginUi, location.pathname);

mount(() => <StartClient />, document.getElementById("app")!);
