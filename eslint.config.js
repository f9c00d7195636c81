import tseslint from "typescript-eslint";

/** What backend code never imports: the UI's frameworks and folders. */
const uiModules = ["react", "react-dom", "next", "next/*", "@/components/*", "@/app/*"];
const serverFences = [{ group: uiModules, message: "Backend code never imports the UI." }];
/** Backend and library code import each other by relative path; the "@/" alias is the pages' style. */
const noAlias = {
  group: ["@/*"],
  message: "Inside server/, lib/, guest/ and bench/ import by relative path.",
};
/** Any path that leaves lib/ for another project folder. */
const outsideLib = ["server", "components", "app", "bench", "guest", "e2e", "scripts"].flatMap(
  (dir) => [`@/${dir}/*`, `**/../${dir}/**`],
);
/**
 * Guest code is bundled into images and runs inside sandboxes: besides lib/, it may use only the vAccel
 * client, protocol and inference modules that the host agent shares with it, never the backend itself.
 */
const guestMayUse = [
  "server/vaccel/client",
  "server/vaccel/inference",
  "server/vaccel/backends",
  "server/vaccel/vaccel-protocol",
  "server/vaccel/proto-root",
  "server/vaccel/rpc-address",
  "server/vaccel/ttrpc",
  "server/errors",
];

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
      "no-restricted-imports": ["error", { patterns: [...serverFences, noAlias] }],
    },
  },
  {
    // Benchmarks start the site itself (next), so only the import style applies to them.
    files: ["bench/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noAlias] }] },
  },
  {
    // The engine knows a runtime only through engine/driver.ts's contract; server/create-engine.ts wires the drivers in.
    files: ["server/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...serverFences,
            noAlias,
            {
              group: ["**/runtimes/**"],
              message: "The engine knows runtimes only through engine/driver.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    // lib/ is the leaf every other folder may use: it imports nothing of the project but lib/.
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...serverFences,
            noAlias,
            { group: outsideLib, message: "lib/ imports only lib/." },
          ],
        },
      ],
    },
  },
  {
    // Pages and components reach the backend over HTTP and socket.io only.
    files: ["components/**/*.ts", "components/**/*.tsx", "app/**/*.ts", "app/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/server/*", "**/server/**", "@/guest/*", "**/guest/**"],
              message:
                "Pages and components use lib/ and the HTTP/socket API, never server/ or guest/.",
            },
          ],
        },
      ],
    },
  },
  {
    // Its tests may stand up the host side (a real vAccel agent) to talk to.
    files: ["guest/**/*.ts"],
    ignores: ["guest/**/*.spec.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...serverFences,
            noAlias,
            {
              regex: `^(\\.\\./)+server/(?!(${guestMayUse.map((m) => m.replace("server/", "")).join("|")})(/|$))`,
              message: `Guest code may use lib/ and only these backend modules: ${guestMayUse.join(", ")}.`,
            },
          ],
        },
      ],
    },
  },
);
