/**
 * The report's contracts section and the implementation check: every contract of the deployment
 * file with its proxy and implementation addresses, the implementation each proxy points at now
 * (its EIP-1967 slot, read on chain) and the `Upgraded` events that installed it. A proxy whose
 * implementation is not the one its last `Upgraded` event names, or is not the deployment file's
 * without an upgrade made while the multisig owned the proxy, is a discrepancy. Pure functions of a chain
 * snapshot.
 */
import type { Address, Hex } from "viem";
import { CONTRACT_NAMES, type ContractName } from "@clearhouse/contracts";
import type { CheckResult, Finding } from "./check";
import type { ChainSnapshot } from "./collect";
import { key } from "./values";

/** One `Upgraded` event of a proxy: the implementation it installed. */
export interface Upgrade {
  implementation: Address;
  blockNumber: string;
  transactionHash: Hex;
}

/** One deployed contract as the report lists it. */
export interface ContractEntry {
  /** The manifest name (`ConsortiumRegistry`…), or `Verifier <circuit id>` for a Groth16 verifier. */
  name: string;
  /** `proxy`: an ERC-1967 proxy; `plain`: no proxy (the multisig, the verifiers). */
  kind: "proxy" | "plain";
  /** The address users call: the proxy, or the plain contract. */
  address: Address;
  /** The implementation the deployment file records (proxies; null for plain contracts). */
  implementation: Address | null;
  /** The implementation in the proxy's EIP-1967 slot at the audited block (null for plain contracts). */
  implementationOnChain: Address | null;
  /** Whether the two agree (null for plain contracts). */
  matchesDeployment: boolean | null;
  /** The proxy's `Upgraded` events since deployment, in chain order (the first is its deployment). */
  upgrades: Upgrade[];
  /**
   * When the chain's implementation is not the deployment file's: the upgrade that installed it, if
   * the proxy's owner was the multisig when it ran (only a multisig proposal could have done it) —
   * the file is out of date, the chain is not wrong. Null otherwise.
   */
  upgradedByGovernance: Upgrade | null;
}

/**
 * Whether the upgrade `u` of proxy `name` was governed: every proxy's `_authorizeUpgrade` is
 * `onlyOwner`, so an upgrade is governed exactly when the proxy's owner when it ran was the
 * multisig — tracked from the proxy's own `OwnershipTransferred` events in chain order. (Sharing a
 * transaction with a multisig `Executed` proves nothing: `execute` is open to anyone.)
 */
function governedUpgrade(s: ChainSnapshot, name: ContractName, u: Upgrade): boolean {
  const multisig = s.addresses.ConsortiumMultisig;
  if (!multisig) return false;
  let owner = "";
  for (const e of s.events) {
    if (e.contract !== name) continue;
    if (e.eventName === "OwnershipTransferred") owner = key(e.args.newOwner);
    else if (e.eventName === "Upgraded" && key(e.transactionHash) === key(u.transactionHash))
      return owner === key(multisig);
  }
  return false;
}

function upgradesOf(s: ChainSnapshot, name: ContractName): Upgrade[] {
  return s.events
    .filter((e) => e.contract === name && e.eventName === "Upgraded")
    .map((e) => ({
      implementation: e.args.implementation as Address,
      blockNumber: e.blockNumber.toString(),
      transactionHash: e.transactionHash,
    }));
}

/** Every contract of the deployment file, in manifest order, then the verifiers by circuit id. */
export function contractsSection(s: ChainSnapshot): ContractEntry[] {
  const out: ContractEntry[] = [];
  for (const name of CONTRACT_NAMES) {
    const entry = s.deployment.contracts[name];
    if (!entry) continue;
    if ("proxy" in entry) {
      const onChain = s.state.implementations[name] ?? null;
      const matches = onChain !== null && key(onChain) === key(entry.implementation);
      const upgrades = upgradesOf(s, name);
      const installer =
        matches || onChain === null ? undefined : upgrades.filter((u) => key(u.implementation) === key(onChain)).at(-1);
      out.push({
        name,
        kind: "proxy",
        address: entry.proxy,
        implementation: entry.implementation,
        implementationOnChain: onChain,
        matchesDeployment: matches,
        upgrades,
        upgradedByGovernance: installer && governedUpgrade(s, name, installer) ? installer : null,
      });
    } else {
      out.push({
        name,
        kind: "plain",
        address: entry.address,
        implementation: null,
        implementationOnChain: null,
        matchesDeployment: null,
        upgrades: [],
        upgradedByGovernance: null,
      });
    }
  }
  for (const [circuit, address] of Object.entries(s.deployment.verifiers ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    out.push({
      name: `Verifier ${circuit}`,
      kind: "plain",
      address,
      implementation: null,
      implementationOnChain: null,
      matchesDeployment: null,
      upgrades: [],
      upgradedByGovernance: null,
    });
  return out;
}

/**
 * Every proxy points at the one implementation its last `Upgraded` event installed, and that is the
 * deployment file's or one a governance proposal installed (then the report says the file is out of
 * date, without failing). Any other mismatch with the file fails, naming the upgrade, if any.
 */
export function contractImplementations(s: ChainSnapshot): CheckResult {
  const failures: Finding[] = [];
  const proxies = contractsSection(s).filter((c) => c.kind === "proxy");
  for (const c of proxies) {
    const last = c.upgrades.at(-1);
    if (c.implementationOnChain === null) {
      failures.push({ detail: `${c.name} (${c.address}): its EIP-1967 implementation slot was not read` });
      continue;
    }
    if (last && key(last.implementation) !== key(c.implementationOnChain))
      failures.push({
        detail: `${c.name}: its last Upgraded event installed ${last.implementation}, but its EIP-1967 slot holds ${c.implementationOnChain}`,
        transactionHash: last.transactionHash,
      });
    if (!c.matchesDeployment && !c.upgradedByGovernance) {
      const by = c.upgrades.filter((u) => key(u.implementation) === key(c.implementationOnChain)).at(-1);
      failures.push({
        detail:
          `${c.name}: the deployment file says implementation ${c.implementation}, the proxy's EIP-1967 slot holds ${c.implementationOnChain}` +
          (by
            ? ` (installed in block ${by.blockNumber}, not by a governance proposal): find who upgraded it`
            : " and no Upgraded event installed it"),
        ...(by ? { transactionHash: by.transactionHash } : {}),
      });
    }
  }
  return {
    id: "contract-implementations",
    title: "Contracts: each proxy's implementation (EIP-1967 slot) is the deployment file's and its last upgrade's",
    checked: proxies.length,
    failures,
    ...(proxies.length === 0 ? { notRunReason: "the deployment file lists no proxied contract" } : {}),
  };
}
