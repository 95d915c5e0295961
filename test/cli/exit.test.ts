import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { encodeErrorResult, type Hex } from "viem";
import { DeployFailedError } from "../../packages/cli/src/deploy";
import { DeliveryStoreError } from "../../packages/server/src/store/errors";
import { ExitCode, UsageError, exitCodeOf, exitCodeOfCategory } from "../../packages/cli/src/exit";
import {
  ClearhouseError,
  ContractRevertError,
  ContractNotDeployedError,
  DeploymentError,
  ERROR_CATEGORIES,
  InvalidArgumentError,
  MissingAccountError,
  NetworkError,
  TransactionFailedError,
  TransactionPendingError,
  TransactionDroppedError,
  DuplicateWriteError,
  NonceConflictError,
  UnknownRevertError,
  WrongNetworkError,
  clearhouseErrorsAbi,
  decodeRevertData,
  type ErrorCategory,
} from "../../packages/sdk/src";
import { GovernanceFileError } from "../../packages/sdk/src/governance/files";
import { ConsortiumFileError } from "../../packages/sdk/src/node/consortiumFile";
import { NetworkKitExistsError } from "../../packages/sdk/src/node/networkKit";
import { NetworkConfigError } from "../../packages/sdk/src/network/networkConfig";
import {
  PermAllowlistMismatchError,
  PermNodeUnreachableError,
  PermPersistError,
  PermRefusedError,
  PermUnavailableError,
} from "../../packages/sdk/src/network/permRpc";
import { PermissionsFileError } from "../../packages/sdk/src/network/permissionsToml";
import { NodeAllowlistMismatchError } from "../../packages/sdk/src/network/registryNodes";
import { EmptyNodeAllowlistError } from "../../packages/sdk/src/node/permissionsSync";
import { StaticNodeNotAllowedError } from "../../packages/sdk/src/node/staticNodesFile";
import { AttestationExpiredError } from "../../packages/sdk/src/payments/attestation";
import { AttestationConflictError } from "../../packages/sdk/src/payments/submission";
import { BatchFileError } from "../../packages/sdk/src/settlement/batchFile";
import { Iso20022Error } from "../../packages/sdk/src/settlement/iso20022/xml";
import { IsoPaymentError } from "../../packages/sdk/src/settlement/iso20022/reasons";
import { DuplicatePaymentIdError } from "../../packages/sdk/src/settlement/batchStream";
import { ZkArtifactsMissingError, ZkWitnessError } from "../../packages/zk/src/prover";
import { DevicePaymentError, VoucherRefusedError } from "../../packages/sdk/src/offline/errors";
import {
  Pkcs11CurveError,
  Pkcs11KeyError,
  Pkcs11ModuleError,
  Pkcs11ObjectExistsError,
  Pkcs11ObjectNotFoundError,
  Pkcs11PinError,
  Pkcs11SignatureError,
  Pkcs11TokenNotFoundError,
  Pkcs11UriError,
} from "../../packages/sdk/src/node/pkcs11";
import { Sm2CurveError, Sm2KeyError } from "../../packages/sdk/src/crypto/sm2";
import {
  EnvelopeError,
  EnvelopeFormatError,
  EnvelopeKeyError,
  EnvelopeTamperedError,
  EnvelopeWrongKeyError,
} from "../../packages/sdk/src/node/envelope/errors";
import { Sm2SignerMismatchError } from "../../packages/sdk/src/crypto/sm2Signers";
import { KycTierBelowMinimumError, KycTierOutOfRangeError } from "../../packages/sdk/src/zk/kycTier";
import {
  DuplicatePartialError,
  InvalidCurvePointError,
  MixedEphemeralError,
  PartialDecryptionInvalidError,
  RegulatorEpochError,
  SharedKeyMissingError,
  RegulatorFileError,
  SlotDecryptionError,
  TooFewPartialsError,
  UnknownOfficialError,
} from "../../packages/zk/src/regulator/errors";

const PACKAGES = join(__dirname, "..", "..", "packages");
const HASH = `0x${"ab".repeat(32)}`;
const BANK = "0x00000000000000000000000000000000000000ab";

/** One instance of each error class in the repository, and the category it must declare. */
const SAMPLES: Record<string, { make: () => ClearhouseError; category: ErrorCategory }> = {
  ClearhouseError: { make: () => new ClearhouseError("transfer failed"), category: "internal" },
  VoucherRefusedError: {
    make: () => new VoucherRefusedError("serial-seen", "serial 1 was accepted before"),
    category: "input",
  },
  DevicePaymentError: {
    make: () => new DevicePaymentError("exhausted", "all 10 vouchers are signed"),
    category: "input",
  },
  KycTierOutOfRangeError: { make: () => new KycTierOutOfRangeError("tier", 256), category: "input" },
  Pkcs11KeyError: { make: () => new Pkcs11KeyError("token trouble", "Check the token."), category: "input" },
  EnvelopeError: { make: () => new EnvelopeError("Encrypted envelope f: bad.", "hint"), category: "input" },
  EnvelopeKeyError: { make: () => new EnvelopeKeyError("k.key", "is 31 bytes"), category: "input" },
  EnvelopeFormatError: { make: () => new EnvelopeFormatError("b.json", "unknown algorithm"), category: "input" },
  EnvelopeWrongKeyError: { make: () => new EnvelopeWrongKeyError("b.json", "0x01", "0x02"), category: "input" },
  EnvelopeTamperedError: { make: () => new EnvelopeTamperedError("b.json"), category: "input" },
  Sm2KeyError: { make: () => new Sm2KeyError("k.json", "is not valid JSON"), category: "input" },
  Sm2CurveError: { make: () => new Sm2CurveError("k.json", "is a secp256k1 key"), category: "input" },
  Sm2SignerMismatchError: {
    make: () => new Sm2SignerMismatchError(BANK, "is not a contract (no SM2Signer there)"),
    category: "input",
  },
  Pkcs11UriError: { make: () => new Pkcs11UriError("pkcs11:object=k", "it names no token"), category: "input" },
  Pkcs11ModuleError: { make: () => new Pkcs11ModuleError("/x.so", "does not exist"), category: "input" },
  Pkcs11TokenNotFoundError: { make: () => new Pkcs11TokenNotFoundError("bank", ["other"]), category: "input" },
  Pkcs11ObjectNotFoundError: {
    make: () => new Pkcs11ObjectNotFoundError("bank", '"k1"', "holds no private key"),
    category: "input",
  },
  Pkcs11ObjectExistsError: { make: () => new Pkcs11ObjectExistsError("bank", "k1"), category: "input" },
  Pkcs11PinError: { make: () => new Pkcs11PinError("bank", "wrong PIN (CKR_PIN_INCORRECT)"), category: "input" },
  Pkcs11CurveError: { make: () => new Pkcs11CurveError('"k1"', "a P-256 (prime256v1) key"), category: "input" },
  Pkcs11SignatureError: { make: () => new Pkcs11SignatureError("bank", "is 63 bytes"), category: "internal" },
  InvalidCurvePointError: {
    make: () => new InvalidCurvePointError("ephemeral key", "it is not on the curve"),
    category: "input",
  },
  SlotDecryptionError: { make: () => new SlotDecryptionError(3n), category: "input" },
  PartialDecryptionInvalidError: { make: () => new PartialDecryptionInvalidError(2), category: "input" },
  DuplicatePartialError: { make: () => new DuplicatePartialError(2), category: "input" },
  TooFewPartialsError: { make: () => new TooFewPartialsError(1, 2), category: "input" },
  UnknownOfficialError: { make: () => new UnknownOfficialError(9, [1, 2, 3]), category: "input" },
  MixedEphemeralError: { make: () => new MixedEphemeralError(1), category: "input" },
  RegulatorEpochError: { make: () => new RegulatorEpochError(2, 1, "0x01"), category: "input" },
  SharedKeyMissingError: { make: () => new SharedKeyMissingError("0x01", 0, [1n, 2n]), category: "input" },
  RegulatorFileError: { make: () => new RegulatorFileError("key.json", "secret", "is missing"), category: "input" },
  KycTierBelowMinimumError: { make: () => new KycTierBelowMinimumError(1, 2), category: "input" },
  InvalidArgumentError: { make: () => new InvalidArgumentError("amount", "is negative"), category: "input" },
  MissingAccountError: { make: () => new MissingAccountError("transfer"), category: "input" },
  DeploymentError: { make: () => new DeploymentError("cannot read x.json"), category: "input" },
  ContractNotDeployedError: {
    make: () => new ContractNotDeployedError("NettingEngine", "Deploy the settlement layer first."),
    category: "input",
  },
  NetworkError: { make: () => new NetworkError("http://127.0.0.1:9", new Error("ECONNREFUSED")), category: "network" },
  WrongNetworkError: { make: () => new WrongNetworkError(1, 31337), category: "network" },
  TransactionPendingError: {
    make: () => new TransactionPendingError(HASH, "transfer", new Error("timed out")),
    category: "network",
  },
  TransactionFailedError: { make: () => new TransactionFailedError(HASH, "transfer"), category: "refused" },
  TransactionDroppedError: {
    make: () =>
      new TransactionDroppedError(HASH, "submitBatch", {
        code: 1,
        name: "SenderNotMember",
        description: "the sender was never admitted to the consortium",
      }),
    category: "refused",
  },
  DeliveryStoreError: {
    make: () => new DeliveryStoreError("The delivery store is gone.", "Check the database."),
    category: "internal",
  },
  NonceConflictError: {
    make: () => new NonceConflictError(HASH, "transfer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 7, "refused"),
    category: "refused",
  },
  DuplicateWriteError: {
    make: () => new DuplicateWriteError(HASH, "transfer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 7),
    category: "refused",
  },
  ContractRevertError: {
    make: () =>
      new ContractRevertError(
        decodeRevertData(encodeErrorResult({ abi: clearhouseErrorsAbi, errorName: "EnforcedPause" }))!,
        "transfer",
      ),
    category: "refused",
  },
  UnknownRevertError: { make: () => new UnknownRevertError("transfer", "0xdeadbeef"), category: "refused" },
  GovernanceFileError: { make: () => new GovernanceFileError("p.json", "was altered"), category: "input" },
  BatchFileError: { make: () => new BatchFileError("b.json", "is not JSON"), category: "input" },
  Iso20022Error: { make: () => new Iso20022Error("p.xml", "", "is not XML"), category: "input" },
  IsoPaymentError: {
    make: () => new IsoPaymentError("p.xml", "Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]", "unknown agent", "RC01"),
    category: "input",
  },
  DuplicatePaymentIdError: { make: () => new DuplicatePaymentIdError(0, 3, "PAY-1"), category: "input" },
  ConsortiumFileError: {
    make: () => new ConsortiumFileError("c.yaml", "members[0].lei", "is missing"),
    category: "input",
  },
  NetworkConfigError: {
    make: () => new NetworkConfigError("c.yaml", "network.nodes[0].host", "must be an IPv4 address"),
    category: "input",
  },
  NetworkKitExistsError: { make: () => new NetworkKitExistsError("/tmp/net"), category: "input" },
  PermissionsFileError: {
    make: () => new PermissionsFileError("net/v1/permissions_config.toml", "cannot be written (EACCES)"),
    category: "input",
  },
  NodeAllowlistMismatchError: { make: () => new NodeAllowlistMismatchError(12n, 3, 4), category: "network" },
  EmptyNodeAllowlistError: { make: () => new EmptyNodeAllowlistError(12n), category: "refused" },
  StaticNodeNotAllowedError: {
    make: () =>
      new StaticNodeNotAllowedError("/opt/besu/permissions_config.toml", "/opt/besu/static-nodes.json", [
        `enode://${"ab".repeat(64)}@10.0.0.4:30303`,
      ]),
    category: "refused",
  },
  PermAllowlistMismatchError: {
    make: () =>
      new PermAllowlistMismatchError("http://10.0.0.1:8545", [`enode://${"ab".repeat(64)}@10.0.0.4:30303`], []),
    category: "network",
  },
  PermNodeUnreachableError: {
    make: () =>
      new PermNodeUnreachableError("http://10.0.0.1:8545", "perm_getNodesAllowlist", new Error("ECONNREFUSED")),
    category: "network",
  },
  PermUnavailableError: {
    make: () =>
      new PermUnavailableError("http://10.0.0.1:8545", "perm_getNodesAllowlist", "Node allowlist has not been enabled"),
    category: "input",
  },
  PermRefusedError: {
    make: () =>
      new PermRefusedError(
        "http://10.0.0.1:8545",
        "perm_removeNodesFromAllowlist",
        "fixed-node",
        "Cannot remove a fixed node (bootnode or static node) from allowlist (code -32000)",
        [],
      ),
    category: "refused",
  },
  PermPersistError: {
    make: () =>
      new PermPersistError(
        "http://10.0.0.1:8545",
        "perm_addNodesToAllowlist",
        "persist-failed",
        "Unable to persist changes to allowlist configuration file. Changes reverted",
      ),
    category: "refused",
  },
  AttestationExpiredError: { make: () => new AttestationExpiredError(BANK, 1n, 2n), category: "input" },
  AttestationConflictError: {
    make: () => {
      const slot = { agreementId: 1n, milestone: 0, kind: "delivered" } as const;
      const [hash, other, bank] = [HASH, `0x${"cd".repeat(32)}`, BANK] as Hex[];
      const attestation = { ...slot, escrow: bank, chainId: 1, evidenceHash: hash, deadline: 9n, signer: bank };
      const record = { ...slot, attestor: bank, evidenceHash: other, blockNumber: 7n, transactionHash: hash };
      return new AttestationConflictError([
        { attestation: { ...attestation, signature: "0x" }, status: "conflict", record },
      ]);
    },
    category: "refused",
  },
  ZkArtifactsMissingError: {
    make: () => new ZkArtifactsMissingError("kyc_membership", "circuits/build/x.zkey"),
    category: "input",
  },
  ZkWitnessError: { make: () => new ZkWitnessError("amount_limit", new Error("Assert Failed")), category: "input" },
  UsageError: { make: () => new UsageError("--amount is required"), category: "input" },
  DeployFailedError: {
    make: () => new DeployFailedError("the node refused eth_sendTransaction"),
    category: "internal",
  },
};

/** Every .ts source of the packages (not their builds). */
function packageSources(dir = PACKAGES): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "dist" || entry === "node_modules") return [];
    return statSync(path).isDirectory() ? packageSources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Names of every class in the packages that extends ClearhouseError, directly or not. */
function clearhouseErrorClasses(): string[] {
  const parents = new Map<string, string>();
  for (const file of packageSources())
    for (const [, name, parent] of readFileSync(file, "utf8").matchAll(/\bclass\s+(\w+)\s+extends\s+(\w+)/g))
      parents.set(name, parent);
  const isError = (name: string, seen = new Set<string>()): boolean =>
    name === "ClearhouseError" || (!seen.has(name) && parents.has(name) && isError(parents.get(name)!, seen.add(name)));
  return ["ClearhouseError", ...[...parents.keys()].filter((name) => name !== "ClearhouseError" && isError(name))];
}

describe("CLI exit codes follow the error's category", () => {
  it("maps each category to its exit code", () => {
    expect(exitCodeOfCategory).to.deep.equal({
      input: ExitCode.badInput,
      refused: ExitCode.refusedByChain,
      network: ExitCode.network,
      internal: ExitCode.unexpected,
    });
    expect(Object.keys(exitCodeOfCategory)).to.have.members([...ERROR_CATEGORIES]);
    expect(ExitCode).to.deep.equal({
      ok: 0,
      unexpected: 1,
      badInput: 2,
      refusedByChain: 3,
      network: 4,
      auditFailed: 5,
    });
  });

  it("knows every error class of the repository: a class added without a category here fails", () => {
    const found = clearhouseErrorClasses();
    expect(found).to.include.members(["InvalidArgumentError", "ZkWitnessError", "UsageError", "DeployFailedError"]);
    expect([...found].sort(), "add the new class to SAMPLES with the category it declares").to.deep.equal(
      Object.keys(SAMPLES).sort(),
    );
  });

  for (const [name, { make, category }] of Object.entries(SAMPLES)) {
    it(`${name} is "${category}" and exits ${exitCodeOfCategory[category]}`, () => {
      const error = make();
      expect(error).to.be.instanceOf(ClearhouseError);
      expect(error.name).to.equal(name);
      expect(error.category).to.equal(category);
      expect(exitCodeOf(error)).to.equal(exitCodeOfCategory[category]);
    });
  }

  it("lets a UsageError choose its own exit code, and gives anything else 'unexpected'", () => {
    const audit = new UsageError("The audit found discrepancies.", "See the report.", true, ExitCode.auditFailed);
    expect(exitCodeOf(audit)).to.equal(ExitCode.auditFailed);
    expect(exitCodeOf(new Error("boom"))).to.equal(ExitCode.unexpected);
    expect(exitCodeOf("a string")).to.equal(ExitCode.unexpected);
    // a foreign error wrapping one of ours exits with the wrapped error's code
    const wrapped = new Error("while loading", { cause: new NetworkError(undefined, new Error("ECONNREFUSED")) });
    expect(exitCodeOf(wrapped)).to.equal(ExitCode.network);
  });
});
