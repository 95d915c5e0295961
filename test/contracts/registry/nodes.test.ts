/** ConsortiumRegistry: the node allowlist (allowNode, removeNode, connectionAllowed, nodeOf, nodeCount). */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistry, enode } from "../../helpers/fixtures";
import { NodeKind, nodeKey } from "./helpers";

describe("ConsortiumRegistry", function () {
  describe("nodes", function () {
    const E1 = enode("validator-1");
    const E2 = enode("member-node-2");
    const HOST = "10.0.0.1";
    const PORT = 30303;

    async function withNode() {
      const f = await deployRegistry();
      await f.registry.allowNode(E1, HOST, PORT, NodeKind.Validator);
      return f;
    }

    it("allowNode adds a validator node with the exact key and event", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode(E1, HOST, PORT, NodeKind.Validator))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E1, HOST, PORT), E1, HOST, PORT, NodeKind.Validator);
      expect(await registry.nodeCount()).to.equal(1n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(true);
    });

    it("allowNode adds a member node; nodeOf reports its kind", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.allowNode(E2, "node2.bank.example", 65535, NodeKind.Member))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E2, "node2.bank.example", 65535), E2, "node2.bank.example", 65535, NodeKind.Member);
      expect(await registry.nodeCount()).to.equal(2n);
      expect(await registry.nodeOf(E2, "node2.bank.example", 65535)).to.deep.equal([true, BigInt(NodeKind.Member)]);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
    });

    it("allowNode accepts upper-case hex, a 64-byte host and port 1; the event keeps the caller's spelling", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const upper = E2.toUpperCase();
      const host64 = "H".repeat(64);
      await expect(registry.allowNode(upper, host64, 1, NodeKind.Member))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E2, host64.toLowerCase(), 1), upper, host64, 1, NodeKind.Member);
      expect(await registry.connectionAllowed(E2, host64.toLowerCase(), 1)).to.equal(true);
    });

    it("treats a different host or port as a different node", async function () {
      const { registry } = await loadFixture(withNode);
      await registry.allowNode(E1, "10.0.0.2", PORT, NodeKind.Member);
      await registry.allowNode(E1, HOST, PORT + 1, NodeKind.Member);
      expect(await registry.nodeCount()).to.equal(3n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E1, HOST, PORT + 1)).to.deep.equal([true, BigInt(NodeKind.Member)]);
    });

    const badEnodes: [string, string][] = [
      ["empty", ""],
      ["127 characters", E1.slice(0, 127)],
      ["129 characters", E1 + "a"],
      ["0x-prefixed (130 characters)", "0x" + E1],
      ["0x-prefixed (128 characters)", "0x" + E1.slice(2)],
      ["a 'g' at the start", "g" + E1.slice(1)],
      ["a 'G' at the end", E1.slice(0, 127) + "G"],
      ["a space in the middle", E1.slice(0, 64) + " " + E1.slice(65)],
      ["a ':' in the middle", E1.slice(0, 10) + ":" + E1.slice(11)],
      ["a '/' (just below '0')", E1.slice(0, 1) + "/" + E1.slice(2)],
      ["a '@' (just below 'A')", E1.slice(0, 1) + "@" + E1.slice(2)],
      ["a '`' (just below 'a')", E1.slice(0, 1) + "`" + E1.slice(2)],
    ];
    for (const [label, bad] of badEnodes) {
      it(`allowNode rejects an enode id with ${label}`, async function () {
        const { registry } = await loadFixture(deployRegistry);
        await expect(registry.allowNode(bad, HOST, PORT, NodeKind.Validator))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
          .withArgs(bad);
      });
    }

    it("allowNode reports the enode id before the node address", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode("zz", "", 0, NodeKind.Validator))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
        .withArgs("zz");
    });

    for (const [label, host, port] of [
      ["an empty host", "", PORT],
      ["a 65-byte host", "h".repeat(65), PORT],
      ["port 0", HOST, 0],
    ] as const) {
      it(`allowNode rejects ${label}`, async function () {
        const { registry } = await loadFixture(deployRegistry);
        await expect(registry.allowNode(E1, host, port, NodeKind.Validator))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
          .withArgs(host, port);
        expect(await registry.nodeCount()).to.equal(0n);
      });
    }

    it("allowNode rejects a duplicate node", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.allowNode(E1, HOST, PORT, NodeKind.Member))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(nodeKey(E1, HOST, PORT));
    });

    it("allowNode rejects a case-insensitive duplicate of the enode id and host", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Validator);
      const key = nodeKey(E1, "node1.bank.example", PORT);
      await expect(registry.allowNode(E1.toUpperCase(), "node1.bank.example", PORT, NodeKind.Validator))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(key);
      await expect(registry.allowNode(E1, "NODE1.Bank.Example", PORT, NodeKind.Member))
        .to.be.revertedWithCustomError(registry, "RegistryNodeExists")
        .withArgs(key);
      expect(await registry.nodeCount()).to.equal(1n);
    });

    it("removeNode removes a node", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.removeNode(E1, HOST, PORT))
        .to.emit(registry, "NodeRemoved")
        .withArgs(nodeKey(E1, HOST, PORT), E1, HOST, PORT);
      expect(await registry.nodeCount()).to.equal(0n);
      expect(await registry.nodeOf(E1, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(false);
    });

    it("removeNode matches case-insensitively and a removed node can be allowed again", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Member);
      const upper = E1.toUpperCase();
      await expect(registry.removeNode(upper, "Node1.BANK.example", PORT))
        .to.emit(registry, "NodeRemoved")
        .withArgs(nodeKey(E1, "node1.bank.example", PORT), upper, "Node1.BANK.example", PORT);
      expect(await registry.nodeCount()).to.equal(0n);
      await expect(registry.allowNode(E1, "node1.bank.example", PORT, NodeKind.Validator))
        .to.emit(registry, "NodeAllowed")
        .withArgs(nodeKey(E1, "node1.bank.example", PORT), E1, "node1.bank.example", PORT, NodeKind.Validator);
      expect(await registry.nodeOf(E1, "node1.bank.example", PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
    });

    it("removeNode rejects an unknown node, including one already removed", async function () {
      const { registry } = await loadFixture(withNode);
      await expect(registry.removeNode(E2, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E2, HOST, PORT));
      await expect(registry.removeNode(E1, HOST, PORT + 1))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E1, HOST, PORT + 1));
      await registry.removeNode(E1, HOST, PORT);
      await expect(registry.removeNode(E1, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryUnknownNode")
        .withArgs(nodeKey(E1, HOST, PORT));
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("removeNode rejects a malformed enode id or node address", async function () {
      const { registry } = await loadFixture(withNode);
      const bad = "0x" + E1;
      await expect(registry.removeNode(bad, HOST, PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidEnodeId")
        .withArgs(bad);
      await expect(registry.removeNode(E1, "", PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs("", PORT);
      await expect(registry.removeNode(E1, "h".repeat(65), PORT))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs("h".repeat(65), PORT);
      await expect(registry.removeNode(E1, HOST, 0))
        .to.be.revertedWithCustomError(registry, "RegistryInvalidNodeAddress")
        .withArgs(HOST, 0);
    });

    it("allowNode rejects a node kind outside the enum", async function () {
      const { registry } = await loadFixture(deployRegistry);
      await expect(registry.allowNode(E1, HOST, PORT, 2)).to.be.revertedWithoutReason();
      expect(await registry.nodeCount()).to.equal(0n);
    });

    it("connectionAllowed matches enode id and host case-insensitively", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const mixed = E1.slice(0, 64).toUpperCase() + E1.slice(64);
      await registry.allowNode(mixed, "Node1.Bank.Example", PORT, NodeKind.Validator);
      for (const [id, host] of [
        [E1, "node1.bank.example"],
        [E1.toUpperCase(), "NODE1.BANK.EXAMPLE"],
        [mixed, "Node1.Bank.Example"],
        [E1, "nOdE1.bAnK.eXaMpLe"],
      ]) {
        expect(await registry.connectionAllowed(id, host, PORT)).to.equal(true);
        expect(await registry.nodeOf(id, host, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      }
    });

    it("connectionAllowed is false for unknown nodes and, without reverting, for malformed input", async function () {
      const { registry } = await loadFixture(withNode);
      expect(await registry.connectionAllowed(E2, HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "10.0.0.2", PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, HOST, PORT + 1)).to.equal(false);
      expect(await registry.connectionAllowed("0x" + E1, HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1.slice(0, 127), HOST, PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "", PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, "h".repeat(65), PORT)).to.equal(false);
      expect(await registry.connectionAllowed(E1, HOST, 0)).to.equal(false);
      expect(await registry.nodeOf("0x" + E1, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E1, HOST, 0)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(E2, HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
      // The allowed node itself still matches.
      expect(await registry.connectionAllowed(E1, HOST, PORT)).to.equal(true);
    });

    it("nodeCount tracks additions and removals", async function () {
      const { registry } = await loadFixture(deployRegistry);
      const ids = ["a", "b", "c", "d"].map((s) => enode(s));
      for (const [i, id] of ids.entries()) {
        await registry.allowNode(id, HOST, PORT, i % 2 === 0 ? NodeKind.Validator : NodeKind.Member);
        expect(await registry.nodeCount()).to.equal(BigInt(i + 1));
      }
      await registry.removeNode(ids[1], HOST, PORT);
      await registry.removeNode(ids[3], HOST, PORT);
      expect(await registry.nodeCount()).to.equal(2n);
      expect(await registry.nodeOf(ids[2], HOST, PORT)).to.deep.equal([true, BigInt(NodeKind.Validator)]);
      expect(await registry.nodeOf(ids[3], HOST, PORT)).to.deep.equal([false, BigInt(NodeKind.Validator)]);
    });
  });
});
