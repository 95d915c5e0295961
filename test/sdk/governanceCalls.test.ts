/** encodeGovernedCall: governed calls by contract and function name, arguments as JSON gives them. */
import { expect } from "chai";
import { decodeFunctionData, encodeFunctionData } from "viem";
import { InvalidArgumentError, consortiumRegistryAbi } from "../../packages/sdk/src";
import * as governance from "../../packages/sdk/src/governance";
import { nettingEngineAbi, verifierRegistryAbi } from "../../packages/contracts/src";

const { GOVERNED_CALL_TARGETS, encodeGovernedCall, decodeCall } = governance;
const BANK = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const OTHER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const H1 = `0x${"11".repeat(32)}` as const;
const H2 = `0x${"22".repeat(32)}` as const;

/** The InvalidArgumentError `f` throws. */
function refusal(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("SDK governance: encodeGovernedCall", () => {
  it("encodes a call from decimal strings exactly as viem does from bigints", () => {
    const call = encodeGovernedCall({
      contract: "ConsortiumRegistry",
      functionName: "setLimits",
      args: [BANK, "50000000", 200000000],
    });
    const expected = encodeFunctionData({
      abi: consortiumRegistryAbi,
      functionName: "setLimits",
      args: [BANK, 50_000_000n, 200_000_000n],
    });
    expect(call).to.deep.equal({
      data: expected,
      contract: "ConsortiumRegistry",
      functionName: "setLimits",
      signature: "setLimits(address,uint128,uint128)",
      args: [BANK, 50_000_000n, 200_000_000n],
    });
    expect(decodeCall(call.data)).to.deep.equal({
      functionName: "setLimits",
      args: [JSON.stringify(BANK), "50000000", "200000000"],
    });
  });

  it("converts small integers to numbers, arrays element by element, tuples from arrays or objects", () => {
    const circuit = encodeGovernedCall({
      contract: "VerifierRegistry",
      functionName: "registerCircuit",
      args: [H1, BANK, "3", H2, H2],
    });
    expect(circuit.args[2]).to.equal(3); // uint8: a number, as viem types it
    expect(decodeFunctionData({ abi: verifierRegistryAbi, data: circuit.data }).args).to.deep.equal([
      H1,
      BANK,
      3,
      H2,
      H2,
    ]);
    const net = encodeGovernedCall({
      contract: "SettlementToken",
      functionName: "settleNet",
      args: [
        [BANK, OTHER],
        ["-5", 5],
      ],
    });
    expect(net.args).to.deep.equal([
      [BANK, OTHER],
      [-5n, 5n],
    ]);
    const header = {
      root: H1,
      entryCount: 2,
      grossTotal: 700n,
      totalsCommitment: H2,
      metadataDigest: H2,
      counterpartyMask: 6n,
      closesAt: 1_700_000_000,
    };
    const expected = encodeFunctionData({
      abi: nettingEngineAbi,
      functionName: "declare",
      args: [4n, H1, header, [BANK], [700n]],
    });
    const asObject = { ...header, entryCount: "2", grossTotal: "700", counterpartyMask: "6", closesAt: "1700000000" };
    const asArray = [H1, 2, "700", H2, H2, "6", 1_700_000_000];
    for (const h of [asObject, asArray]) {
      const call = encodeGovernedCall({
        contract: "NettingEngine",
        functionName: "declare",
        args: ["4", H1, h, [BANK], ["700"]],
      });
      expect(call.data).to.equal(expected);
    }
    const short = refusal(() =>
      encodeGovernedCall({
        contract: "NettingEngine",
        functionName: "declare",
        args: ["4", H1, [H1], [BANK], ["700"]],
      }),
    );
    expect(short.shortMessage).to.contain("argument 3 (tuple) must have 7 fields, not 1");
    const notArray = refusal(() =>
      encodeGovernedCall({ contract: "SettlementToken", functionName: "settleNet", args: [BANK, ["1"]] }),
    );
    expect(notArray.shortMessage).to.contain("argument 1 (address[]) must be an array");
  });

  it("knows every governed contract of a deployment", () => {
    expect(GOVERNED_CALL_TARGETS).to.deep.equal([
      "ConsortiumRegistry",
      "SettlementToken",
      "SettlementLedger",
      "NettingEngine",
      "VerifierRegistry",
      "ConditionalEscrow",
      "OfflineVault",
      "ConsortiumMultisig",
    ]);
    const pause = encodeGovernedCall({ contract: "NettingEngine", functionName: "pause" });
    expect(pause.signature).to.equal("pause()");
    expect(pause.data).to.equal("0x8456cb59");
  });

  it("refuses with an InvalidArgumentError naming what is wrong and what to do", () => {
    const unknownFn = refusal(() => encodeGovernedCall({ contract: "SettlementToken", functionName: "steal" }));
    expect(unknownFn.argument).to.equal("functionName");
    expect(unknownFn.shortMessage).to.contain("SettlementToken has no function steal");
    expect(unknownFn.hint).to.match(/^Functions of SettlementToken a proposal can call: .*\bsetIssuanceCeiling\b/);
    expect(unknownFn.hint).not.to.match(/\bbalanceOf\b/); // views are not offered

    const arity = refusal(() =>
      encodeGovernedCall({ contract: "ConsortiumRegistry", functionName: "setLimits", args: [BANK] }),
    );
    expect(arity.shortMessage).to.contain("setLimits(address,uint128,uint128) takes 3 arguments, not 1");

    const notInteger = refusal(() =>
      encodeGovernedCall({ contract: "ConsortiumRegistry", functionName: "setLimits", args: [BANK, "1.5", "2"] }),
    );
    expect(notInteger.shortMessage).to.contain("argument 2 (uint128) is not an integer: 1.5");

    const badAddress = refusal(() =>
      encodeGovernedCall({ contract: "ConsortiumRegistry", functionName: "setLimits", args: ["0x12", "1", "2"] }),
    );
    expect(badAddress.shortMessage).to.contain("cannot encode setLimits(address,uint128,uint128)");
    expect(badAddress.hint).to.contain("40 hex digits");

    const view = refusal(() =>
      encodeGovernedCall({ contract: "SettlementToken", functionName: "balanceOf", args: [BANK] }),
    );
    expect(view.shortMessage).to.contain("balanceOf(address) is a view function");

    const notGoverned = refusal(() =>
      encodeGovernedCall({ contract: "Treasury" as "SettlementToken", functionName: "pause" }),
    );
    expect(notGoverned.argument).to.equal("contract");
    expect(notGoverned.hint).to.contain("ConsortiumRegistry, SettlementToken");
  });
});
