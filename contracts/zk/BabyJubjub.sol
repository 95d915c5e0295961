// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title BabyJubjub — membership checks for points of the Baby Jubjub curve (EIP-2494)
/// @notice The twisted Edwards curve a·x² + y² = 1 + d·x²·y² over the BN254 scalar field, with
/// a = 168700 and d = 168696: the curve circomlib and zk-kit (baby-jubjub) use for keys a circuit
/// can open. Its group has order 8·l; public keys live in the subgroup of prime order l generated
/// by `Base8`. A point of low order (2, 4 or 8) makes a Diffie-Hellman secret computed with it one
/// of at most 8 values anyone can enumerate; a point with a low-order component leaks the other
/// party's scalar modulo 8 and is not a key of the form s·Base8.
/// @dev No modular inversion anywhere: `inPrimeSubgroup` computes l·P in extended coordinates
/// (X : Y : T : Z), x = X/Z, y = Y/Z, x·y = T/Z (Hisil-Wong-Carter-Dawson 2008, "dbl-2008-hwcd"
/// and "madd-2008-hwcd"). Both formulas are complete on this curve (a is a square and d is not
/// in F_p, EIP-2494), so no input on the curve meets an exceptional case.
/// @custom:security-contact security@clearhouse.example
library BabyJubjub {
    /// @dev The BN254 scalar field: Baby Jubjub's base field.
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;
    /// @dev Order of the prime subgroup (the curve has 8·L points); 251 bits, top bit 250.
    uint256 internal constant L = 2736030358979909402780800718157159386076813972158567259200215660948447373041;
    /// @dev The generator of the prime subgroup (`Base8` of zk-kit baby-jubjub and circomlib).
    uint256 internal constant BASE8_X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant BASE8_Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;

    /// @notice Whether (x, y) is a point of the curve: both coordinates below P and
    /// a·x² + y² = 1 + d·x²·y² (mod P). 476 gas measured (test/contracts/zk/regulator-keys.test.ts).
    /// @param x the x coordinate
    /// @param y the y coordinate
    /// @return onCurve true for a point of the curve (of any order, the identity (0, 1) included)
    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool onCurve) {
        if (x >= P || y >= P) return false;
        uint256 xx = mulmod(x, x, P);
        uint256 yy = mulmod(y, y, P);
        return addmod(mulmod(A, xx, P), yy, P) == addmod(1, mulmod(D, mulmod(xx, yy, P), P), P);
    }

    /// @notice Whether (x, y) is a point of the curve in the subgroup of prime order l, i.e.
    /// l·(x, y) is the identity (0, 1). The identity itself is in the subgroup (callers that need a
    /// usable key refuse it separately). 310,610 gas measured for any point on the curve (the work
    /// is fixed by the bits of l: 250 doublings and 114 additions); far less for a point off it.
    /// @param x the x coordinate
    /// @param y the y coordinate
    /// @return inSubgroup false for a point off the curve or with a low-order component
    function inPrimeSubgroup(uint256 x, uint256 y) internal pure returns (bool inSubgroup) {
        if (!isOnCurve(x, y)) return false;
        // Invariants: x, y < P (checked above); every rx, ry, rt, rz and temporary is reduced mod P
        // (mulmod/addmod results), so `sub(P, v)` is in (0, P] and never underflows.
        assembly ("memory-safe") {
            // R = (x : y : x·y : 1); the top bit of L (250) is consumed by starting from P. Few
            // variables, each reused, so that every one stays within reach of the stack.
            let rx := x
            let ry := y
            let rz := 1
            let dt := mulmod(D, mulmod(x, y, P), P) // d·T of the base point, for every addition
            for {
                let i := 250
            } i {} {
                i := sub(i, 1)
                // R = 2R (dbl-2008-hwcd: A = X², B = Y², E = (X+Y)² - A - B, G = aA + B,
                // H = aA - B, F = G - 2Z²; X' = EF, Y' = GH, T' = EH, Z' = FG; T is not an input)
                let u := mulmod(rx, rx, P) // A, then aA, then F
                let v := mulmod(ry, ry, P) // B, then T'
                let e := addmod(rx, ry, P)
                e := addmod(mulmod(e, e, P), sub(P, addmod(u, v, P)), P)
                u := mulmod(A, u, P)
                let g := addmod(u, v, P)
                let h := addmod(u, sub(P, v), P)
                u := mulmod(rz, rz, P)
                u := addmod(g, sub(P, addmod(u, u, P)), P)
                rx := mulmod(e, u, P)
                ry := mulmod(g, h, P)
                rz := mulmod(u, g, P)
                if and(shr(i, L), 1) {
                    // R = R + (x, y) (madd-2008-hwcd, the base point has Z = 1: A = X·x, B = Y·y,
                    // C = T·d·t, E = (X+Y)(x+y) - A - B, F = Z - C, G = Z + C, H = B - aA;
                    // X' = EF, Y' = GH, Z' = FG)
                    v := mulmod(mulmod(e, h, P), dt, P) // C
                    e := mulmod(rx, x, P) // A
                    g := mulmod(ry, y, P) // B
                    h := addmod(x, y, P)
                    h := mulmod(addmod(rx, ry, P), h, P)
                    h := addmod(h, sub(P, addmod(e, g, P)), P) // E
                    e := mulmod(A, e, P)
                    g := addmod(g, sub(P, e), P) // H
                    u := addmod(rz, sub(P, v), P) // F
                    v := addmod(rz, v, P) // G
                    rx := mulmod(h, u, P)
                    ry := mulmod(v, g, P)
                    rz := mulmod(u, v, P)
                }
            }
            // The identity in extended coordinates is (0 : Z : 0 : Z) with Z ≠ 0.
            inSubgroup := and(iszero(rx), and(eq(ry, rz), iszero(iszero(rz))))
        }
    }
}
