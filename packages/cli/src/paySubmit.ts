/** What `clearhouse pay submit` prints: per file, sent (in which transaction) or skipped (and why). */
import type { SignedAttestation, SubmitMissingAttestationsReturnType } from "@clearhouse/sdk/payments";

const what = (a: SignedAttestation) =>
  `"${a.kind}" by ${a.signer} for agreement ${a.agreementId} milestone ${a.milestone}`;

/** The human report: one line per file, then what was sent (or that nothing was). */
export function submitReport(files: readonly string[], r: SubmitMissingAttestationsReturnType): string {
  const lines: string[] = new Array<string>(files.length);
  for (const s of r.skipped) {
    lines[s.index] =
      s.reason === "duplicate"
        ? `${files[s.index]}: skipped, the same attestation as ${files[s.duplicateOf]}`
        : `${files[s.index]}: already recorded${s.record ? ` (block ${s.record.blockNumber}, tx ${s.record.transactionHash})` : ""}, ${what(s.attestation)}`;
  }
  for (const { indexes, tx } of r.sent)
    for (const i of indexes) lines[i] = `${files[i]}: sent (tx ${tx.hash}, block ${tx.blockNumber})`;
  const sent = r.sent.reduce((n, s) => n + s.indexes.length, 0);
  const recorded = r.skipped.filter((s) => s.reason === "recorded").length;
  const summary =
    sent === 0
      ? `Nothing sent: ${files.length === 1 ? "the attestation is" : `all ${files.length} attestations are`} already recorded.`
      : `Submitted ${sent} attestation(s) in ${r.sent.length} transaction(s)${recorded ? `; ${recorded} already recorded` : ""}.`;
  return [...lines, summary].join("\n");
}

/** The `--json` result: each transaction with its files, and each skipped file with why. */
export function submitJson(files: readonly string[], r: SubmitMissingAttestationsReturnType) {
  return {
    sent: r.sent.map(({ indexes, attestations, tx, attestations: [a] }) => ({
      files: indexes.map((i) => files[i]),
      signers: attestations.map((x) => x.signer),
      agreementId: a.agreementId,
      milestone: a.milestone,
      kind: a.kind,
      evidenceHash: a.evidenceHash,
      tx,
    })),
    skipped: r.skipped.map((s) => ({
      file: files[s.index],
      signer: s.attestation.signer,
      agreementId: s.attestation.agreementId,
      milestone: s.attestation.milestone,
      kind: s.attestation.kind,
      reason: s.reason,
      ...(s.reason === "recorded"
        ? { blockNumber: s.record?.blockNumber, transactionHash: s.record?.transactionHash }
        : { duplicateOf: files[s.duplicateOf] }),
    })),
  };
}
