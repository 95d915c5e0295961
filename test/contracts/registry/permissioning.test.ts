import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, setStorageAt } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConsortiumRegistry } from "../../../typechain-types";
import { deployRegistry, lei, MemberStatus, Reason, Role, UNLIMITED } from "../../helpers/fixtures";

type ReasonCode = (typeof Reason)[keyof typeof Reason];
type Status = (typeof MemberStatus)[keyof typeof MemberStatus];

const MAX_UINT256 = ethers.MaxUint256;
const LIMIT = 1_000n;
const ALL_REASONS: ReasonCode[] = Object.values(Reason);

/** What the reference model knows about an address: exactly what the set-up below arranged. */
interface AccountState {
  status: Status;
  roles: number;
  maxSingleTransfer: bigint;
  sanction: number;
}

/** The `sanctions` mapping entry of `account` in ConsortiumRegistry's ERC-7201 storage (third field). */
const ownerSanctionSlot = (account: string): string =>
  ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["address", "uint256"],
      [account, 0x04108f599892ef25b3bf67692103eb029c5cb5c4d19c54666c5cb38a859ae700n + 2n],
    ),
  );

const NOBODY: AccountState = { status: MemberStatus.None, roles: 0, maxSingleTransfer: 0n, sanction: 0 };

/** Names of the pre-arranged accounts (besides the owner). */
const ACCOUNT_NAMES = [
  "operator", // Active OPERATOR, limit LIMIT
  "bank", // Active MEMBER_BANK, limit LIMIT
  "corporateZeroLimit", // Active CORPORATE, limit 0
  "multiRoleOperator", // Active OPERATOR|AUDITOR|REGULATOR, unlimited
  "unlimitedBank", // Active MEMBER_BANK|CORPORATE, unlimited
  "readmitted", // removed, then re-admitted as MEMBER_BANK with limit 500
  "sanctionLifted", // Active MEMBER_BANK, sanctioned then unsanctioned
  "suspendedOperator", // Suspended OPERATOR
  "removedBank", // Removed MEMBER_BANK
  "sanctionedOperator", // Active OPERATOR, sanctioned
  "sanctionedSuspended", // Suspended, sanctioned
  "sanctionedRemoved", // Removed, sanctioned
  "sanctionedOutsider", // never admitted, sanctioned
  "outsider", // never admitted
  "pendingOwner", // never admitted, pending owner of the registry
] as const;
type AccountName = (typeof ACCOUNT_NAMES)[number];

interface World {
  registry: ConsortiumRegistry;
  owner: HardhatEthersSigner;
  registryAddress: string;
  accounts: Record<AccountName, string>;
  /** Reference state keyed by lower-cased address. */
  states: Map<string, AccountState>;
}

/** The documented decision procedure of IConsortiumRegistry.check, written independently of the contract. */
function expectedReason(world: World, sender: string, target: string, value: bigint): ReasonCode {
  if (sender.toLowerCase() === world.owner.address.toLowerCase()) return Reason.Allowed;
  const s = world.states.get(sender.toLowerCase()) ?? NOBODY;
  if (s.sanction !== 0) return Reason.SenderSanctioned;
  if (s.status === MemberStatus.None) return Reason.SenderNotMember;
  if (s.status === MemberStatus.Suspended) return Reason.SenderSuspended;
  if (s.status === MemberStatus.Removed) return Reason.SenderRemoved;
  if (target === ethers.ZeroAddress) {
    if ((s.roles & Role.OPERATOR) === 0) return Reason.CreationNotAllowed;
  } else if (
    (world.states.get(target.toLowerCase()) ?? NOBODY).sanction !== 0 &&
    target.toLowerCase() !== world.owner.address.toLowerCase()
  ) {
    // Governance (the owner) is never a refused target.
    return Reason.TargetSanctioned;
  }
  if (value !== 0n && (s.roles & Role.OPERATOR) === 0) return Reason.NativeValueNotAllowed;
  return Reason.Allowed;
}

/** One registry, every account arranged once; the tests below only make view calls. */
async function world(): Promise<World> {
  const { registry, owner, others } = await deployRegistry();
  const signers = others.slice(0, ACCOUNT_NAMES.length);
  const accounts = Object.fromEntries(ACCOUNT_NAMES.map((n, i) => [n, signers[i].address])) as Record<
    AccountName,
    string
  >;
  const states = new Map<string, AccountState>();
  const record = (address: string, patch: Partial<AccountState>): void => {
    states.set(address.toLowerCase(), { ...(states.get(address.toLowerCase()) ?? NOBODY), ...patch });
  };
  const admitAs = async (address: string, roles: number, single: bigint, daily: bigint): Promise<void> => {
    await registry.admitMember(address, roles, lei(address), "Member", single, daily);
    record(address, { status: MemberStatus.Active, roles, maxSingleTransfer: single });
  };
  const suspend = async (address: string): Promise<void> => {
    await registry.suspendMember(address);
    record(address, { status: MemberStatus.Suspended });
  };
  const remove = async (address: string): Promise<void> => {
    await registry.removeMember(address);
    record(address, { status: MemberStatus.Removed });
  };
  const sanction = async (address: string, code: number): Promise<void> => {
    await registry.addSanction(address, code);
    record(address, { sanction: code });
  };
  const a = accounts;

  await admitAs(a.operator, Role.OPERATOR, LIMIT, 10n * LIMIT);
  await admitAs(a.bank, Role.MEMBER_BANK, LIMIT, 10n * LIMIT);
  await admitAs(a.corporateZeroLimit, Role.CORPORATE, 0n, 0n);
  await admitAs(a.multiRoleOperator, Role.OPERATOR | Role.AUDITOR | Role.REGULATOR, UNLIMITED, UNLIMITED);
  await admitAs(a.unlimitedBank, Role.MEMBER_BANK | Role.CORPORATE, UNLIMITED, UNLIMITED);
  await admitAs(a.readmitted, Role.OPERATOR, UNLIMITED, UNLIMITED);
  await remove(a.readmitted);
  await admitAs(a.readmitted, Role.MEMBER_BANK, 500n, 5_000n);
  await admitAs(a.sanctionLifted, Role.MEMBER_BANK, LIMIT, LIMIT);
  await sanction(a.sanctionLifted, 3);
  await registry.removeSanction(a.sanctionLifted, 3);
  record(a.sanctionLifted, { sanction: 0 });
  await admitAs(a.suspendedOperator, Role.OPERATOR, LIMIT, LIMIT);
  await suspend(a.suspendedOperator);
  await admitAs(a.removedBank, Role.MEMBER_BANK, LIMIT, LIMIT);
  await remove(a.removedBank);
  await admitAs(a.sanctionedOperator, Role.OPERATOR, UNLIMITED, UNLIMITED);
  await sanction(a.sanctionedOperator, 1);
  await admitAs(a.sanctionedSuspended, Role.OPERATOR, LIMIT, LIMIT);
  await suspend(a.sanctionedSuspended);
  await sanction(a.sanctionedSuspended, 2);
  await admitAs(a.sanctionedRemoved, Role.MEMBER_BANK, LIMIT, LIMIT);
  await remove(a.sanctionedRemoved);
  await sanction(a.sanctionedRemoved, 4);
  await sanction(a.sanctionedOutsider, 5);
  await registry.transferOwnership(a.pendingOwner);
  // The owner itself is a suspended, sanctioned, zero-limit CORPORATE member: it must still be allowed.
  // addSanction refuses the owner now; the sanction is written as an older implementation left it.
  await admitAs(owner.address, Role.CORPORATE, 0n, 0n);
  await suspend(owner.address);
  await setStorageAt(await registry.getAddress(), ownerSanctionSlot(owner.address), 6);
  record(owner.address, { sanction: 6 });

  return { registry, owner, registryAddress: await registry.getAddress(), accounts, states };
}

interface Scenario {
  name: string;
  sender: (w: World) => string;
  target: (w: World) => string;
  value: bigint;
  expected: ReasonCode;
}

const acct =
  (name: AccountName) =>
  (w: World): string =>
    w.accounts[name];
const OWNER = (w: World): string => w.owner.address;
const CREATE = (): string => ethers.ZeroAddress;
const REGISTRY = (w: World): string => w.registryAddress;
const STRANGER = (): string => "0x00000000000000000000000000000000DeaDBeef";

const SCENARIOS: Scenario[] = [
  // 0 Allowed
  { name: "member pays a non-member", sender: acct("bank"), target: acct("outsider"), value: 0n, expected: 0 },
  {
    name: "member calls a member",
    sender: acct("bank"),
    target: acct("operator"),
    value: 0n,
    expected: 0,
  },
  {
    name: "member calls the registry",
    sender: acct("bank"),
    target: REGISTRY,
    value: 0n,
    expected: 0,
  },
  {
    name: "member calls a suspended member",
    sender: acct("bank"),
    target: acct("suspendedOperator"),
    value: 0n,
    expected: 0,
  },
  {
    name: "member calls a removed member",
    sender: acct("bank"),
    target: acct("removedBank"),
    value: 0n,
    expected: 0,
  },
  {
    name: "zero-limit member sends zero value",
    sender: acct("corporateZeroLimit"),
    target: STRANGER,
    value: 0n,
    expected: 0,
  },
  { name: "OPERATOR deploys a contract", sender: acct("operator"), target: CREATE, value: 0n, expected: 0 },
  {
    name: "OPERATOR deploys with value at its limit",
    sender: acct("operator"),
    target: CREATE,
    value: LIMIT,
    expected: 0,
  },
  {
    name: "multi-role OPERATOR deploys a contract",
    sender: acct("multiRoleOperator"),
    target: CREATE,
    value: 0n,
    expected: 0,
  },
  {
    name: "OPERATOR sends native value beyond its token limits",
    sender: acct("operator"),
    target: STRANGER,
    value: UNLIMITED,
    expected: 0,
  },
  {
    name: "re-admitted member sends nothing",
    sender: acct("readmitted"),
    target: STRANGER,
    value: 0n,
    expected: 0,
  },
  {
    name: "member whose sanction was lifted",
    sender: acct("sanctionLifted"),
    target: STRANGER,
    value: 0n,
    expected: 0,
  },
  {
    name: "member calls an address whose sanction was lifted",
    sender: acct("bank"),
    target: acct("sanctionLifted"),
    value: 0n,
    expected: 0,
  },
  { name: "owner pays anyone", sender: OWNER, target: STRANGER, value: 0n, expected: 0 },
  {
    name: "owner (suspended, sanctioned member) pays a sanctioned target with max value",
    sender: OWNER,
    target: acct("sanctionedOutsider"),
    value: MAX_UINT256,
    expected: 0,
  },
  {
    name: "owner (no OPERATOR role) deploys a contract",
    sender: OWNER,
    target: CREATE,
    value: MAX_UINT256,
    expected: 0,
  },
  // 1 SenderNotMember
  { name: "non-member sends", sender: acct("outsider"), target: acct("bank"), value: 0n, expected: 1 },
  { name: "non-member deploys", sender: acct("outsider"), target: CREATE, value: 0n, expected: 1 },
  {
    name: "non-member pays a sanctioned target",
    sender: acct("outsider"),
    target: acct("sanctionedOutsider"),
    value: MAX_UINT256,
    expected: 1,
  },
  {
    name: "pending (not yet accepted) owner sends",
    sender: acct("pendingOwner"),
    target: STRANGER,
    value: 0n,
    expected: 1,
  },
  { name: "the zero address as sender", sender: CREATE, target: STRANGER, value: 0n, expected: 1 },
  { name: "the registry as sender", sender: REGISTRY, target: STRANGER, value: 0n, expected: 1 },
  // 2 SenderSuspended
  { name: "suspended member sends", sender: acct("suspendedOperator"), target: acct("bank"), value: 0n, expected: 2 },
  { name: "suspended OPERATOR deploys", sender: acct("suspendedOperator"), target: CREATE, value: 0n, expected: 2 },
  {
    name: "suspended member pays a sanctioned target above its limit",
    sender: acct("suspendedOperator"),
    target: acct("sanctionedOutsider"),
    value: MAX_UINT256,
    expected: 2,
  },
  // 3 SenderRemoved
  { name: "removed member sends", sender: acct("removedBank"), target: acct("bank"), value: 0n, expected: 3 },
  { name: "removed member deploys", sender: acct("removedBank"), target: CREATE, value: 0n, expected: 3 },
  {
    name: "removed member pays a sanctioned target",
    sender: acct("removedBank"),
    target: acct("sanctionedOperator"),
    value: 1n,
    expected: 3,
  },
  // 4 SenderSanctioned (takes precedence over status)
  {
    name: "sanctioned active member sends",
    sender: acct("sanctionedOperator"),
    target: acct("bank"),
    value: 0n,
    expected: 4,
  },
  { name: "sanctioned OPERATOR deploys", sender: acct("sanctionedOperator"), target: CREATE, value: 0n, expected: 4 },
  {
    name: "sanctioned suspended member",
    sender: acct("sanctionedSuspended"),
    target: acct("bank"),
    value: 0n,
    expected: 4,
  },
  {
    name: "sanctioned removed member",
    sender: acct("sanctionedRemoved"),
    target: acct("bank"),
    value: 0n,
    expected: 4,
  },
  { name: "sanctioned non-member", sender: acct("sanctionedOutsider"), target: acct("bank"), value: 0n, expected: 4 },
  {
    name: "sanctioned member pays a sanctioned target",
    sender: acct("sanctionedOperator"),
    target: acct("sanctionedOutsider"),
    value: 0n,
    expected: 4,
  },
  // 5 TargetSanctioned
  {
    name: "member pays a sanctioned non-member",
    sender: acct("bank"),
    target: acct("sanctionedOutsider"),
    value: 0n,
    expected: 5,
  },
  {
    name: "member pays a sanctioned member",
    sender: acct("operator"),
    target: acct("sanctionedOperator"),
    value: 1n,
    expected: 5,
  },
  {
    name: "member pays a sanctioned removed member",
    sender: acct("operator"),
    target: acct("sanctionedRemoved"),
    value: 1n,
    expected: 5,
  },
  {
    name: "member pays the owner (a sanction left in storage): governance is never a refused target",
    sender: acct("bank"),
    target: OWNER,
    value: 0n,
    expected: 0,
  },
  {
    name: "target sanction wins over native value",
    sender: acct("bank"),
    target: acct("sanctionedSuspended"),
    value: 1n,
    expected: 5,
  },
  // 6 CreationNotAllowed
  { name: "MEMBER_BANK deploys", sender: acct("bank"), target: CREATE, value: 0n, expected: 6 },
  { name: "MEMBER_BANK|CORPORATE deploys", sender: acct("unlimitedBank"), target: CREATE, value: 0n, expected: 6 },
  {
    name: "CORPORATE deploys with native value",
    sender: acct("corporateZeroLimit"),
    target: CREATE,
    value: 1n,
    expected: 6,
  },
  {
    name: "re-admitted member lost its former OPERATOR role",
    sender: acct("readmitted"),
    target: CREATE,
    value: 0n,
    expected: 6,
  },
  // 7 NativeValueNotAllowed
  {
    name: "re-admitted member no longer holds its former OPERATOR role and sends native value",
    sender: acct("readmitted"),
    target: STRANGER,
    value: 500n,
    expected: 7,
  },
  {
    name: "MEMBER_BANK sends 1 wei",
    sender: acct("bank"),
    target: acct("operator"),
    value: 1n,
    expected: 7,
  },
  {
    name: "zero-limit CORPORATE sends 1 wei",
    sender: acct("corporateZeroLimit"),
    target: STRANGER,
    value: 1n,
    expected: 7,
  },
  {
    name: "unlimited MEMBER_BANK|CORPORATE sends native value",
    sender: acct("unlimitedBank"),
    target: STRANGER,
    value: UNLIMITED + 1n,
    expected: 7,
  },
  {
    name: "member whose sanction was lifted sends native value",
    sender: acct("sanctionLifted"),
    target: STRANGER,
    value: 1n,
    expected: 7,
  },
  {
    name: "non-OPERATOR sends max uint256",
    sender: acct("bank"),
    target: REGISTRY,
    value: MAX_UINT256,
    expected: 7,
  },
];

/** Gas and payload variants: transactionAllowed must ignore them, check must ignore its data. */
const VARIANTS: { gasPrice: bigint; gasLimit: bigint; payload: string }[] = [
  { gasPrice: 0n, gasLimit: 0n, payload: "0x" },
  { gasPrice: 1_000_000_000n, gasLimit: 21_000n, payload: "0xa9059cbb" },
  { gasPrice: MAX_UINT256, gasLimit: MAX_UINT256, payload: "0x" + "ff".repeat(300) },
];

describe("ConsortiumRegistry permissioning (check / transactionAllowed)", function () {
  let w: World;

  before(async function () {
    w = await loadFixture(world);
  });

  it("the fixture matches the reference state", async function () {
    const { registry, states } = w;
    for (const [address, s] of states) {
      const m = await registry.memberOf(address);
      expect(m.status).to.equal(s.status, address);
      expect(m.roles).to.equal(s.roles, address);
      expect(m.maxSingleTransfer).to.equal(s.maxSingleTransfer, address);
      expect(await registry.sanctionOf(address)).to.equal(s.sanction, address);
    }
    expect(await registry.owner()).to.equal(w.owner.address);
    expect(await registry.pendingOwner()).to.equal(w.accounts.pendingOwner);
  });

  it("the scenario table covers every Reason code of an unpaused registry (8 is in pause.test.ts)", function () {
    const unpaused = ALL_REASONS.filter((r) => r !== Reason.RegistryPaused);
    expect([...new Set(SCENARIOS.map((s) => s.expected))].sort()).to.deep.equal(unpaused);
    expect(ALL_REASONS).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  describe("scenario table", function () {
    for (const s of SCENARIOS) {
      it(`${s.name} → ${s.expected}`, async function () {
        const sender = s.sender(w);
        const target = s.target(w);
        expect(expectedReason(w, sender, target, s.value)).to.equal(s.expected, "reference model");
        for (const v of VARIANTS) {
          const [allowed, reason] = await w.registry.check(sender, target, s.value, v.payload);
          expect(reason).to.equal(s.expected);
          expect(allowed).to.equal(s.expected === Reason.Allowed);
          expect(
            await w.registry.transactionAllowed(sender, target, s.value, v.gasPrice, v.gasLimit, v.payload),
          ).to.equal(allowed);
        }
      });
    }
  });

  it("property: transactionAllowed agrees with check, and check agrees with the reference model", async function () {
    const known = (): string[] => [
      ...Object.values(w.accounts),
      w.owner.address,
      w.registryAddress,
      ethers.ZeroAddress,
    ];
    const randomAddress = fc
      .uint8Array({ minLength: 20, maxLength: 20 })
      .map((b) => ethers.getAddress(ethers.hexlify(b)));
    const address = fc.oneof(
      { arbitrary: fc.constantFrom(...known()), weight: 5 },
      { arbitrary: randomAddress, weight: 1 },
    );
    const value = fc.oneof(
      fc.constantFrom(0n, 1n, 499n, 500n, 501n, LIMIT - 1n, LIMIT, LIMIT + 1n, UNLIMITED, UNLIMITED + 1n, MAX_UINT256),
      fc.bigInt({ min: 0n, max: 2n * LIMIT }),
      fc.bigInt({ min: 0n, max: MAX_UINT256 }),
    );
    const uint256 = fc.oneof(fc.constantFrom(0n, MAX_UINT256), fc.bigInt({ min: 0n, max: MAX_UINT256 }));
    const payload = fc.uint8Array({ maxLength: 256 }).map((b) => ethers.hexlify(b));
    const seen = new Set<number>();

    await fc.assert(
      fc.asyncProperty(
        address,
        address,
        value,
        uint256,
        uint256,
        payload,
        async (sender, target, v, gasPrice, gasLimit, data) => {
          const [allowed, reason] = await w.registry.check(sender, target, v, data);
          const besu = await w.registry.transactionAllowed(sender, target, v, gasPrice, gasLimit, data);
          expect(besu).to.equal(allowed);
          expect(allowed).to.equal(reason === 0n);
          expect(ALL_REASONS).to.include(Number(reason));
          expect(Number(reason)).to.equal(expectedReason(w, sender, target, v));
          seen.add(Number(reason));
        },
      ),
      { numRuns: 100 },
    );
    // The generators must actually reach the interesting cases, not just "not a member".
    expect(seen.size).to.be.greaterThanOrEqual(5);
  });
});
