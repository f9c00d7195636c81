import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", ".cache/", "state/", "next-env.d.ts", "test-results/"] },
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
    files: ["app/**/*.tsx", "app/**/*.ts", "*.config.*", "eslint.config.js", "vitest.config.ts", "playwright.config.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["server/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["react", "react-dom", "next", "next/*", "@/components/*", "@/app/*"] },
      ],
    },
  },
);
