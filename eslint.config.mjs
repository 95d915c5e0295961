// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "typechain-types/",
      "coverage/",
      "dist/",
      "packages/contracts/src/abis.ts",
      "packages/*/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", require: "readonly", module: "writable" } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The CommonJS launcher of the CLI.
    files: ["bin/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { __dirname: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The server and the CLI go through SDK functions, never raw ABIs — not even those the SDK root
    // re-exports (dependency-cruiser checks the imports of @clearhouse/contracts: .dependency-cruiser.cjs).
    files: ["packages/server/src/**/*.ts", "packages/cli/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // The entries that export ABIs (a namespace import of the others is fine).
              regex: "^@clearhouse/(contracts|sdk)$",
              importNamePattern: "Abi$",
              message: "Read and write contracts through SDK functions (add one to packages/sdk if it is missing).",
            },
          ],
        },
      ],
    },
  },
  {
    // dependency-cruiser's configuration reads the packages' exports maps with require().
    files: [".dependency-cruiser.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
);
