/** The agreement templates shipped in templates/ (supply chain, invoices, installments, proofs). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { InvalidArgumentError } from "../errors/base";
import { findPackageRoot } from "./packageRoot";
import { fillTemplate, parseAgreementText, type AgreementSpec } from "../payments/terms";

/**
 * The templates shipped in the `@clearhouse/sdk` package, found when first needed (not at import,
 * so a bundle that never reads templates does not need the package's files).
 */
export function templateDir(): string {
  return join(findPackageRoot(__dirname, "@clearhouse/sdk"), "templates");
}

/** Names of the shipped templates (file names without extension). */
export function templateNames(): string[] {
  return readdirSync(templateDir())
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => basename(f).replace(/\.(ya?ml|json)$/, ""))
    .sort();
}

/** A template's text by name, or any agreement/template file by path. */
export function readTemplate(nameOrPath: string): { text: string; where: string } {
  const candidates = [nameOrPath, ...["yaml", "yml", "json"].map((ext) => join(templateDir(), `${nameOrPath}.${ext}`))];
  const path = candidates.find((p) => existsSync(p) && /\.(ya?ml|json)$/.test(p));
  if (!path) {
    throw new InvalidArgumentError(
      "template",
      `${JSON.stringify(nameOrPath)} is neither a file nor a template`,
      `Templates: ${templateNames().join(", ")}.`,
    );
  }
  return { text: readFileSync(path, "utf8"), where: path };
}

/** Fill a template (or read an agreement file) and parse it into terms. */
export function agreementFromTemplate(
  nameOrPath: string,
  vars: Readonly<Record<string, string>>,
  opts: { now: bigint; decimals: number },
): AgreementSpec {
  const { text, where } = readTemplate(nameOrPath);
  return parseAgreementText(fillTemplate(text, vars), where, opts);
}
