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
    // The request path of every API call. On Node 20 an object literal with anything after a
    // spread (`{ ...a, b }`, `{ ...a, ...b }`) takes V8's slow path, 0.5–1 µs each: use
    // Object.assign or a literal (docs/decisions/043-no-spread-with-extras-on-hot-paths.md).
    files: [
      "src/server/**/*.ts",
      "src/kernel/trpc.ts",
      "src/kernel/trpc-chain.ts",
      "src/kernel/audit.ts",
      "src/kernel/scope.ts",
      "src/kernel/tools.ts",
      "src/kernel/auth/{request,bearer,session,tokens}.ts",
      "src/kernel/http/{dispatch,body}.ts",
      "plugins/agent/{http,server,context,audit-batch,direct-transport}.ts",
    ],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ObjectExpression > SpreadElement ~ :matches(Property, SpreadElement)",
          message: "A literal with properties after a spread is V8's slow path on Node 20 (ADR 043): use Object.assign({}, a, b) or list the fields.",
        },
      ],
    },
  },
  {
    // Typed secrets are hashed in the kernel's bounded slots (docs/decisions/049-bounded-password-hashing.md).
    files: ["src/**/*.{ts,tsx}", "plugins/**/*.{ts,tsx}"],
    ignores: ["src/kernel/auth/password-hash.ts", "**/*.test.ts", "**/test-*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@node-rs/argon2", message: "Hash and verify with hashSecret/verifySecret from ~/kernel/auth/password-hash (ADR 049)." }] },
      ],
    },
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
