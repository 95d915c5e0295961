// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SM3} from "./SM3.sol";

/// @title SM2 — GB/T 32918 signature verification on the curve sm2p256v1, in plain Solidity
/// @notice `SM2.verify(e, r, s, px, py)` checks an SM2 signature (r, s) of the digest `e` under the
/// public key (px, py). `e` is what GB/T 32918.2 §6.1 calls e = SM3(Z_A ‖ M): build it with
/// `za(px, py)` (the default identity "1234567812345678", as sm-crypto-v2, OpenSSL, Tongsuo and
/// GmSSL sign by default) and `digest(za, message)` / `digestHash(za, hash)`.
/// @dev No EVM chain the consortium runs has an SM2 precompile. The scalar multiplication
/// s·G + t·P is Shamir's trick (one pass over the 256 bits of s and t, adding G, P or the
/// precomputed G+P) in Jacobian coordinates with the a = −3 doubling (dbl-2001-b) and the mixed
/// addition madd-2004-hmv of the Explicit-Formulas Database; G+P is made affine with one modular
/// inversion through the modexp precompile (0x05). The final x-coordinate test needs no inversion:
/// x1 = X/Z² is compared as X == c·Z² for the at most two candidates c ≡ r − e (mod n) below p.
/// About 205,000 gas per verification with the repository's default compiler settings, 222,000
/// through the IR pipeline (bench/sm2.ts, docs/crypto.md).
library SM2 {
    /// @notice The field prime p of sm2p256v1 (GB/T 32918.5).
    uint256 internal constant P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF;
    /// @notice The curve coefficient a = p − 3.
    uint256 internal constant A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC;
    /// @notice The curve coefficient b.
    uint256 internal constant B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93;
    /// @notice The order n of the base point G (the cofactor is 1).
    uint256 internal constant N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123;
    /// @notice The base point G, x-coordinate.
    uint256 internal constant GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7;
    /// @notice The base point G, y-coordinate.
    uint256 internal constant GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0;
    /// @notice The default signer identity of GB/T 35276 / GM/T 0009 ("1234567812345678", 16 bytes).
    bytes internal constant DEFAULT_ID = "1234567812345678";

    /// @notice An identity longer than the 2-byte bit length ENTL can state (8,191 bytes).
    error SM2IdentityTooLong(uint256 length);

    /// @notice Whether (r, s) is a valid SM2 signature of the digest `e` under the key (px, py).
    /// @dev False (never a revert) when r or s is outside [1, n−1], when t = (r + s) mod n is 0,
    /// when the key is not a point of sm2p256v1 with coordinates below p, when the key is ±G (the
    /// private keys 1 and n−1: 1 is trivially known and n−1 is not a valid SM2 key), or when
    /// s·G + t·P is the point at infinity. Reverts only if the modexp precompile fails.
    /// @param e the digest SM3(Z_A ‖ M) (see `digest`), read as a big-endian integer
    /// @param r the signature's r
    /// @param s the signature's s
    /// @param px the public key's x-coordinate
    /// @param py the public key's y-coordinate
    /// @return valid (e + x1) mod n == r for (x1, y1) = s·G + t·P
    function verify(bytes32 e, uint256 r, uint256 s, uint256 px, uint256 py) internal view returns (bool valid) {
        if (r == 0 || r >= N || s == 0 || s >= N) return false;
        if (!isOnCurve(px, py) || px == GX) return false;
        uint256 t = addmod(r, s, N);
        if (t == 0) return false;
        (uint256 x, uint256 zz) = _mulAdd(s, t, _table(px, py), P);
        if (zz == 0) return false;
        // x1 ≡ r − e (mod n) with x1 < p < 2n: x1 is c or c + n.
        uint256 c = addmod(r, N - (uint256(e) % N), N);
        if (mulmod(c, zz, P) == x) return true;
        return c < P - N && mulmod(c + N, zz, P) == x;
    }

    /// @notice Whether (px, py) is an affine point of sm2p256v1: both below p and y² = x³ + ax + b.
    /// @param px the x-coordinate
    /// @param py the y-coordinate
    /// @return onCurve true for a point of the curve (the curve has prime order: no small subgroup)
    function isOnCurve(uint256 px, uint256 py) internal pure returns (bool onCurve) {
        if (px >= P || py >= P) return false;
        uint256 rhs = addmod(mulmod(mulmod(px, px, P), px, P), addmod(mulmod(A, px, P), B, P), P);
        return mulmod(py, py, P) == rhs;
    }

    /// @notice Z_A for the default identity "1234567812345678" (GB/T 32918.2 §5.5).
    /// @param px the public key's x-coordinate
    /// @param py the public key's y-coordinate
    /// @return z SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) with ENTL = 0x0080
    function za(uint256 px, uint256 py) internal pure returns (bytes32 z) {
        return za(DEFAULT_ID, px, py);
    }

    /// @notice Z_A for the identity `id` (GB/T 32918.2 §5.5).
    /// @param id the signer's identity bytes (at most 8,191 bytes)
    /// @param px the public key's x-coordinate
    /// @param py the public key's y-coordinate
    /// @return z SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), ENTL the identity's length in bits
    /// as 2 big-endian bytes, every coordinate and coefficient as 32 big-endian bytes
    function za(bytes memory id, uint256 px, uint256 py) internal pure returns (bytes32 z) {
        if (id.length > 8191) revert SM2IdentityTooLong(id.length);
        return SM3.hash(abi.encodePacked(uint16(id.length * 8), id, A, B, GX, GY, px, py));
    }

    /// @notice The digest e = SM3(Z_A ‖ M) that an SM2 signature of the message M signs.
    /// @param z the signer's Z_A (see `za`)
    /// @param message the message M, any length
    /// @return e SM3(z ‖ message)
    function digest(bytes32 z, bytes memory message) internal pure returns (bytes32 e) {
        return SM3.hash(abi.encodePacked(z, message));
    }

    /// @notice The digest e = SM3(Z_A ‖ M) for a 32-byte message M, e.g. an EIP-712 hash.
    /// @param z the signer's Z_A (see `za`)
    /// @param hash the 32-byte message M
    /// @return e SM3(z ‖ hash), two SM3 blocks
    function digestHash(bytes32 z, bytes32 hash) internal pure returns (bytes32 e) {
        return SM3.hash(abi.encodePacked(z, hash));
    }

    /// @dev The table T[1] = G, T[2] = P, T[3] = G + P (affine), 64 bytes each, in memory it
    /// allocates. P is on the curve and P ≠ ±G (checked by the caller), so G + P is a finite point.
    function _table(uint256 px, uint256 py) private view returns (uint256 tbl) {
        assembly ("memory-safe") {
            tbl := mload(0x40)
            mstore(0x40, add(tbl, 192))
            mstore(tbl, GX)
            mstore(add(tbl, 32), GY)
            mstore(add(tbl, 64), px)
            mstore(add(tbl, 96), py)
            // λ = (py − yG) / (px − xG); px ≠ xG, so the inverse exists: (px − xG)^(p−2) mod p,
            // through the modexp precompile with its 192 bytes of input above the table.
            let m := add(tbl, 192)
            mstore(m, 32)
            mstore(add(m, 32), 32)
            mstore(add(m, 64), 32)
            mstore(add(m, 96), addmod(px, sub(P, GX), P))
            mstore(add(m, 128), sub(P, 2))
            mstore(add(m, 160), P)
            if iszero(staticcall(gas(), 0x05, m, 192, m, 32)) {
                revert(0, 0)
            }
            let lambda := mulmod(addmod(py, sub(P, GY), P), mload(m), P)
            let qx := addmod(mulmod(lambda, lambda, P), sub(P, addmod(GX, px, P)), P)
            mstore(add(tbl, 128), qx)
            mstore(add(tbl, 160), addmod(mulmod(lambda, addmod(GX, sub(P, qx), P), P), sub(P, GY), P))
        }
    }

    /// @dev s·G + t·P as Jacobian (X, Z²), Z² = 0 for the point at infinity, over the table `tbl`
    /// (see `_table`). The field prime comes in as `p`, a stack value: the legacy code generator
    /// would otherwise rebuild the literal with eight opcodes at each of its ~30 uses a step (its
    /// constant optimiser trades gas for code size), about 150,000 gas a verification.
    // One assembly block, the ladder written out (a function call per step costs more than the step).
    // solhint-disable-next-line function-max-lines
    function _mulAdd(uint256 s, uint256 t, uint256 tbl, uint256 p) private pure returns (uint256 x, uint256 zz) {
        assembly ("memory-safe") {
            // Jacobian doubling for a = −3 (EFD dbl-2001-b); a finite point of this prime-order
            // curve has y ≠ 0, so the double is finite.
            function dbl(x1, y1, z1) -> x3, y3, z3 {
                let delta := mulmod(z1, z1, P)
                let gamma := mulmod(y1, y1, P)
                let beta := mulmod(x1, gamma, P)
                let alpha := mulmod(3, mulmod(addmod(x1, sub(P, delta), P), addmod(x1, delta, P), P), P)
                x3 := addmod(mulmod(alpha, alpha, P), sub(P, mulmod(8, beta, P)), P)
                z3 := mulmod(2, mulmod(y1, z1, P), P)
                y3 := addmod(
                    mulmod(alpha, addmod(mulmod(4, beta, P), sub(P, x3), P), P),
                    sub(P, mulmod(8, mulmod(gamma, gamma, P), P)),
                    P
                )
            }

            // Shamir's trick, most significant bit first; z = 0 is the point at infinity. The
            // doubling and the mixed addition are written out in the loop (a Yul function call
            // costs about as much as the arithmetic it saves writing); `dbl` stays for the rare
            // addition of a point to itself.
            // x and zz (the return values) serve as the accumulator's X and Z: fewer stack slots.
            let y1 := 0
            for {
                let i := 256
            } i {} {
                i := sub(i, 1)
                if zz {
                    // dbl-2001-b: delta = z², alpha = 3(x − delta)(x + delta), gamma = y²,
                    // beta = x·gamma; x3 = alpha² − 8beta, z3 = 2yz, y3 = alpha(4beta − x3) − 8gamma².
                    let t1 := mulmod(zz, zz, p)
                    zz := mulmod(addmod(y1, y1, p), zz, p)
                    let t2 := mulmod(3, mulmod(addmod(x, sub(p, t1), p), addmod(x, t1, p), p), p)
                    y1 := mulmod(y1, y1, p)
                    t1 := mulmod(x, y1, p)
                    x := addmod(mulmod(t2, t2, p), sub(p, mulmod(8, t1, p)), p)
                    y1 := addmod(
                        mulmod(t2, addmod(mulmod(4, t1, p), sub(p, x), p), p),
                        sub(p, mulmod(8, mulmod(y1, y1, p), p)),
                        p
                    )
                }
                let q := or(and(shr(i, s), 1), shl(1, and(shr(i, t), 1)))
                if q {
                    q := add(tbl, shl(6, sub(q, 1)))
                    switch zz
                    case 0 {
                        x := mload(q)
                        y1 := mload(add(q, 32))
                        zz := 1
                    }
                    default {
                        // madd-2004-hmv: h = x2·z1² − x1, rr = y2·z1³ − y1; x3 = rr² − h³ − 2x1h²,
                        // y3 = rr(x1h² − x3) − y1h³, z3 = z1·h.
                        let t1 := mulmod(zz, zz, p)
                        let h := addmod(mulmod(mload(q), t1, p), sub(p, x), p)
                        t1 := addmod(mulmod(mload(add(q, 32)), mulmod(t1, zz, p), p), sub(p, y1), p)
                        switch h
                        case 0 {
                            // The same x: the same point is doubled, the opposite gives infinity.
                            switch t1
                            case 0 {
                                x, y1, zz := dbl(x, y1, zz)
                            }
                            default {
                                zz := 0
                            }
                        }
                        default {
                            // q (the table entry, read) now holds h², then x·h²; h holds h³.
                            zz := mulmod(zz, h, p)
                            q := mulmod(h, h, p)
                            h := mulmod(h, q, p)
                            q := mulmod(x, q, p)
                            x := addmod(addmod(mulmod(t1, t1, p), sub(p, h), p), sub(p, addmod(q, q, p)), p)
                            y1 := addmod(mulmod(t1, addmod(q, sub(p, x), p), p), sub(p, mulmod(y1, h, p)), p)
                        }
                    }
                }
            }
            zz := mulmod(zz, zz, p)
        }
    }
}
