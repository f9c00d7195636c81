import tseslint from "typescript-eslint";

/** What backend code never imports: the UI's frameworks and folders. */
const serverFences = ["react", "react-dom", "next", "next/*", "@/components/*", "@/app/*"];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      ".next-*/",
      ".data/",
      ".cache/",
      "state/",
      "next-env.d.ts",
      "test-results/",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ExportDefaultDeclaration",
          message: "Use named exports; default exports belong to app/ routes only.",
        },
      ],
    },
  },
  {
    files: [
      "app/**/*.tsx",
      "app/**/*.ts",
      "*.config.*",
      "eslint.config.js",
      "vitest.config.ts",
      "playwright.config.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // Tests read loosely typed JSON replies; the schemas they check are the typed part.
    files: ["**/*.spec.ts", "server/testing/**/*.ts", "server/**/testing/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["server/**/*.ts"],
    // main.ts is the composition root that hands page requests to Next; the engine never sees it.
    ignores: ["server/main.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: serverFences }],
    },
  },
  {
    // The engine knows a runtime only through engine/driver.ts's contract; the host wires the drivers in.
    files: ["server/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...serverFences, "**/runtimes/**"] }],
    },
  },
);
