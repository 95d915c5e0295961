// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title SM3 — the GB/T 32905-2016 cryptographic hash in plain Solidity
/// @notice `SM3.hash(data)` is the 256-bit SM3 digest of `data`, byte for byte what GB/T 32905,
/// OpenSSL's `sm3` and sm-crypto-v2's `sm3()` return. No EVM chain the consortium runs (Hardhat,
/// Anvil, Besu) has an SM3 precompile, so the compression function runs in EVM code: about 46,600
/// gas per 64-byte block (bench/sm2.ts; docs/crypto.md has the measured figures).
/// @dev Memory layout, above the free memory pointer (never allocated, so the caller's memory is
/// untouched): W[0..67] the expanded message (68 words), then the chaining value V (8 words), then a
/// 128-byte buffer for the padded last one or two blocks, then the 64 round constants
/// T_j <<< (j mod 32) — 4,608 bytes in all. A rotation x <<< n is written out as
/// or(and(shl(n, x), 0xffffffff), shr(32 − n, x)): a Yul function call would cost more than it. Every 32-bit word is kept in the low 32 bits of an EVM
/// word; sums are masked to 32 bits before they feed a rotation.
library SM3 {
    /// @notice The SM3 digest of `data` (GB/T 32905-2016).
    /// @param data the message, any length (the standard allows < 2^64 bits)
    /// @return digest the 32-byte hash, big-endian as the standard prints it
    // One assembly block: its Yul helpers can only live inside it.
    // solhint-disable-next-line function-max-lines
    function hash(bytes memory data) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            // Load one 64-byte block at `blk` into W[0..15] as 16 big-endian 32-bit words.
            function load(w, blk) {
                let hi := mload(blk)
                let lo := mload(add(blk, 32))
                for {
                    let i := 0
                } lt(i, 8) {
                    i := add(i, 1)
                } {
                    let sh := sub(224, shl(5, i))
                    mstore(add(w, shl(5, i)), and(shr(sh, hi), 0xffffffff))
                    mstore(add(w, shl(5, add(i, 8))), and(shr(sh, lo), 0xffffffff))
                }
            }

            // The compression function CF: V := CF(V, W[0..15]), with W at `q`. Every stack slot
            // counts in the round loops (legacy code generation reaches 16 deep): `q` walks W
            // itself, T_j <<< (j mod 32) is read from its table at q + 2560, TT1 is built in d and
            // TT2 in h (both are overwritten by the round) and ss1 doubles as the temporary of the
            // registers' rotation.
            function compress(q) {
                // Message expansion: W[j] = P1(W[j-16] ^ W[j-9] ^ (W[j-3] <<< 15)) ^ (W[j-13] <<< 7) ^ W[j-6]
                for {
                    let j := add(q, 512)
                } lt(j, add(q, 2176)) {
                    j := add(j, 32)
                } {
                    let x := mload(sub(j, 96))
                    x := xor(xor(mload(sub(j, 512)), mload(sub(j, 288))), or(and(shl(15, x), 0xffffffff), shr(17, x)))
                    x := xor(
                        xor(x, or(and(shl(15, x), 0xffffffff), shr(17, x))),
                        or(and(shl(23, x), 0xffffffff), shr(9, x))
                    )
                    let y := mload(sub(j, 416))
                    mstore(j, xor(xor(x, or(and(shl(7, y), 0xffffffff), shr(25, y))), mload(sub(j, 192))))
                }
                let a := mload(add(q, 2176))
                let b := mload(add(q, 2208))
                let c := mload(add(q, 2240))
                let d := mload(add(q, 2272))
                let e := mload(add(q, 2304))
                let f := mload(add(q, 2336))
                let g := mload(add(q, 2368))
                let h := mload(add(q, 2400))
                let end := add(q, 512)
                // Rounds 0..15: FF = GG = x ^ y ^ z.
                for {} lt(q, end) {
                    q := add(q, 32)
                } {
                    let ss1 := and(
                        add(add(or(and(shl(12, a), 0xffffffff), shr(20, a)), e), mload(add(q, 2560))),
                        0xffffffff
                    )
                    ss1 := or(and(shl(7, ss1), 0xffffffff), shr(25, ss1))
                    d := and(
                        add(
                            add(add(xor(xor(a, b), c), d), xor(ss1, or(and(shl(12, a), 0xffffffff), shr(20, a)))),
                            xor(mload(q), mload(add(q, 128)))
                        ),
                        0xffffffff
                    )
                    h := and(add(add(add(xor(xor(e, f), g), h), ss1), mload(q)), 0xffffffff)
                    ss1 := a
                    a := d
                    d := c
                    c := or(and(shl(9, b), 0xffffffff), shr(23, b))
                    b := ss1
                    ss1 := e
                    e := xor(
                        xor(h, or(and(shl(9, h), 0xffffffff), shr(23, h))),
                        or(and(shl(17, h), 0xffffffff), shr(15, h))
                    )
                    h := g
                    g := or(and(shl(19, f), 0xffffffff), shr(13, f))
                    f := ss1
                }
                // Rounds 16..63: FF = (a & b) | (a & c) | (b & c) = (a & (b | c)) | (b & c) and
                // GG = (e & f) | (~e & g).
                end := add(q, 1536)
                for {} lt(q, end) {
                    q := add(q, 32)
                } {
                    let ss1 := and(
                        add(add(or(and(shl(12, a), 0xffffffff), shr(20, a)), e), mload(add(q, 2560))),
                        0xffffffff
                    )
                    ss1 := or(and(shl(7, ss1), 0xffffffff), shr(25, ss1))
                    d := and(
                        add(
                            add(
                                add(or(and(a, or(b, c)), and(b, c)), d),
                                xor(ss1, or(and(shl(12, a), 0xffffffff), shr(20, a)))
                            ),
                            xor(mload(q), mload(add(q, 128)))
                        ),
                        0xffffffff
                    )
                    h := and(add(add(add(or(and(e, f), and(not(e), g)), h), ss1), mload(q)), 0xffffffff)
                    ss1 := a
                    a := d
                    d := c
                    c := or(and(shl(9, b), 0xffffffff), shr(23, b))
                    b := ss1
                    ss1 := e
                    e := xor(
                        xor(h, or(and(shl(9, h), 0xffffffff), shr(23, h))),
                        or(and(shl(17, h), 0xffffffff), shr(15, h))
                    )
                    h := g
                    g := or(and(shl(19, f), 0xffffffff), shr(13, f))
                    f := ss1
                }
                // q = W + 2048: V is at q + 128.
                q := add(q, 128)
                mstore(q, xor(mload(q), a))
                mstore(add(q, 32), xor(mload(add(q, 32)), b))
                mstore(add(q, 64), xor(mload(add(q, 64)), c))
                mstore(add(q, 96), xor(mload(add(q, 96)), d))
                mstore(add(q, 128), xor(mload(add(q, 128)), e))
                mstore(add(q, 160), xor(mload(add(q, 160)), f))
                mstore(add(q, 192), xor(mload(add(q, 192)), g))
                mstore(add(q, 224), xor(mload(add(q, 224)), h))
            }

            let w := mload(0x40)
            let v := add(w, 2176)
            let tail := add(v, 256)
            // IV
            mstore(v, 0x7380166f)
            mstore(add(v, 32), 0x4914b2b9)
            mstore(add(v, 64), 0x172442d7)
            mstore(add(v, 96), 0xda8a0600)
            mstore(add(v, 128), 0xa96f30bc)
            mstore(add(v, 160), 0x163138aa)
            mstore(add(v, 192), 0xe38dee4d)
            mstore(add(v, 224), 0xb0fb0e4e)
            // T_j <<< (j mod 32) for j = 0..63 (0x79cc4519 for rounds 0..15, 0x7a879d8a after), as
            // literals: cheaper than rotating in a loop.
            {
                let tbl := add(w, 2560)
                mstore(tbl, 0x79cc4519)
                mstore(add(tbl, 32), 0xf3988a32)
                mstore(add(tbl, 64), 0xe7311465)
                mstore(add(tbl, 96), 0xce6228cb)
                mstore(add(tbl, 128), 0x9cc45197)
                mstore(add(tbl, 160), 0x3988a32f)
                mstore(add(tbl, 192), 0x7311465e)
                mstore(add(tbl, 224), 0xe6228cbc)
                mstore(add(tbl, 256), 0xcc451979)
                mstore(add(tbl, 288), 0x988a32f3)
                mstore(add(tbl, 320), 0x311465e7)
                mstore(add(tbl, 352), 0x6228cbce)
                mstore(add(tbl, 384), 0xc451979c)
                mstore(add(tbl, 416), 0x88a32f39)
                mstore(add(tbl, 448), 0x11465e73)
                mstore(add(tbl, 480), 0x228cbce6)
                mstore(add(tbl, 512), 0x9d8a7a87)
                mstore(add(tbl, 544), 0x3b14f50f)
                mstore(add(tbl, 576), 0x7629ea1e)
                mstore(add(tbl, 608), 0xec53d43c)
                mstore(add(tbl, 640), 0xd8a7a879)
                mstore(add(tbl, 672), 0xb14f50f3)
                mstore(add(tbl, 704), 0x629ea1e7)
                mstore(add(tbl, 736), 0xc53d43ce)
                mstore(add(tbl, 768), 0x8a7a879d)
                mstore(add(tbl, 800), 0x14f50f3b)
                mstore(add(tbl, 832), 0x29ea1e76)
                mstore(add(tbl, 864), 0x53d43cec)
                mstore(add(tbl, 896), 0xa7a879d8)
                mstore(add(tbl, 928), 0x4f50f3b1)
                mstore(add(tbl, 960), 0x9ea1e762)
                mstore(add(tbl, 992), 0x3d43cec5)
                mstore(add(tbl, 1024), 0x7a879d8a)
                mstore(add(tbl, 1056), 0xf50f3b14)
                mstore(add(tbl, 1088), 0xea1e7629)
                mstore(add(tbl, 1120), 0xd43cec53)
                mstore(add(tbl, 1152), 0xa879d8a7)
                mstore(add(tbl, 1184), 0x50f3b14f)
                mstore(add(tbl, 1216), 0xa1e7629e)
                mstore(add(tbl, 1248), 0x43cec53d)
                mstore(add(tbl, 1280), 0x879d8a7a)
                mstore(add(tbl, 1312), 0x0f3b14f5)
                mstore(add(tbl, 1344), 0x1e7629ea)
                mstore(add(tbl, 1376), 0x3cec53d4)
                mstore(add(tbl, 1408), 0x79d8a7a8)
                mstore(add(tbl, 1440), 0xf3b14f50)
                mstore(add(tbl, 1472), 0xe7629ea1)
                mstore(add(tbl, 1504), 0xcec53d43)
                mstore(add(tbl, 1536), 0x9d8a7a87)
                mstore(add(tbl, 1568), 0x3b14f50f)
                mstore(add(tbl, 1600), 0x7629ea1e)
                mstore(add(tbl, 1632), 0xec53d43c)
                mstore(add(tbl, 1664), 0xd8a7a879)
                mstore(add(tbl, 1696), 0xb14f50f3)
                mstore(add(tbl, 1728), 0x629ea1e7)
                mstore(add(tbl, 1760), 0xc53d43ce)
                mstore(add(tbl, 1792), 0x8a7a879d)
                mstore(add(tbl, 1824), 0x14f50f3b)
                mstore(add(tbl, 1856), 0x29ea1e76)
                mstore(add(tbl, 1888), 0x53d43cec)
                mstore(add(tbl, 1920), 0xa7a879d8)
                mstore(add(tbl, 1952), 0x4f50f3b1)
                mstore(add(tbl, 1984), 0x9ea1e762)
                mstore(add(tbl, 2016), 0x3d43cec5)
            }
            let len := mload(data)
            let src := add(data, 32)
            // Whole blocks straight from the message.
            for {
                let end := add(src, and(len, not(63)))
            } lt(src, end) {
                src := add(src, 64)
            } {
                load(w, src)
                compress(w)
            }
            // The rest, then 0x80, zeros and the 64-bit bit length: one block, or two when the
            // rest is longer than 55 bytes.
            let rest := and(len, 63)
            mstore(tail, 0)
            mstore(add(tail, 32), 0)
            mstore(add(tail, 64), 0)
            mstore(add(tail, 96), 0)
            mcopy(tail, src, rest)
            mstore8(add(tail, rest), 0x80)
            let last := add(tail, 32)
            if gt(rest, 55) {
                last := add(tail, 96)
            }
            mstore(last, or(mload(last), shl(3, len)))
            load(w, tail)
            compress(w)
            if gt(rest, 55) {
                load(w, add(tail, 64))
                compress(w)
            }
            digest := or(
                or(
                    or(shl(224, mload(v)), shl(192, mload(add(v, 32)))),
                    or(shl(160, mload(add(v, 64))), shl(128, mload(add(v, 96))))
                ),
                or(
                    or(shl(96, mload(add(v, 128))), shl(64, mload(add(v, 160)))),
                    or(shl(32, mload(add(v, 192))), mload(add(v, 224)))
                )
            )
        }
    }
}
