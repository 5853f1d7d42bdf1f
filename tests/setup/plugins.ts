/** The plugin list tests boot: the shipped plugins plus the example plugin. */
import { plugins } from "~/plugins";
import { examplePlugin } from "../example-plugin";

export const testPlugins = [...plugins, examplePlugin] as const;
