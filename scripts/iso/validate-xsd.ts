/**
 * Validate ISO 20022 files against the official schemas shipped in packages/sdk/iso20022/xsd/
 * (libxml2's XSD validator): each file's message(s) against the schema of their namespace.
 *
 *   npx ts-node scripts/iso/validate-xsd.ts samples/iso20022/pacs008-alpine-small.xml [more files…]
 *
 * Prints `valid` or the schema's complaints for each file; exits 1 when a file is invalid.
 */
import { readFileSync } from "node:fs";
import { Iso20022Validator, formatXsdIssues } from "../lib/xsd";

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error("usage: npx ts-node scripts/iso/validate-xsd.ts <file.xml>…");
    return 2;
  }
  const validator = await Iso20022Validator.create();
  let invalid = 0;
  try {
    for (const file of files) {
      const report = validator.validate(readFileSync(file));
      const what = report.messages.join(" + ") || "no ISO 20022 message";
      if (report.valid) {
        console.log(`${file}: valid (${what})`);
      } else {
        invalid++;
        console.log(`${file}: INVALID (${what})\n${formatXsdIssues(report).replace(/^/gm, "  ")}`);
      }
    }
  } finally {
    validator.dispose();
  }
  return invalid === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
