import tseslint from "typescript-eslint";

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
    files: ["**/*.spec.ts", "server/testing/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["server/**/*.ts"],
    // main.ts is the composition root that hands page requests to Next; the engine never sees it.
    ignores: ["server/main.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["react", "react-dom", "next", "next/*", "@/components/*", "@/app/*"] },
      ],
    },
  },
);
