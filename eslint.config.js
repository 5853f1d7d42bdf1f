import js from "@eslint/js";
import tseslint from "typescript-eslint";
import solid from "eslint-plugin-solid/configs/typescript";
import atrium from "./eslint/boundaries.js";

export default tseslint.config(
  { ignores: ["node_modules/", ".output/", ".vinxi/", ".data/", ".test-data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  { files: ["src/**/*.tsx", "plugins/**/*.tsx", "tests/**/*.tsx"], ...solid },
  {
    // The kernel imports no plugin (except the two lists); plugins meet only through entries.
    files: ["src/**/*.{ts,tsx}", "plugins/**/*.{ts,tsx}"],
    plugins: { atrium },
    rules: { "atrium/boundaries": "error" },
  },
  {
    files: ["scripts/**/*.{ts,mjs}", "tests/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" } },
  },
);
