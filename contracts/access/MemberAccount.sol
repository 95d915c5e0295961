// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IMemberAccount} from "./IMemberAccount.sol";
import {IMemberKeys} from "./IMemberKeys.sol";

/// @title MemberAccount — a member's identity, with keys that can be rotated
/// @notice See {IMemberAccount}. The account is what the consortium knows (batches, ledger index,
/// limits, roles, balances); keys come and go without touching any of it.
/// @dev Deployed behind a `BeaconProxy` by `MemberAccountFactory`; the beacon's owner (governance)
/// upgrades every account at once. Storage in an ERC-7201 namespace. A key counts only while both
/// the account holds it and the registry binds it to this account, so governance can cut a key
/// off with either `revokeKey` here or `unbindKey` there.
/// @custom:security-contact security@clearhouse.example
contract MemberAccount is IMemberAccount, Initializable, EIP712 {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role: send transactions as the member (`execute`).
    uint8 public constant SUBMIT = 1;
    /// @notice Role: sign offline for the member (ERC-1271 `isValidSignature`).
    uint8 public constant APPROVE = 2;
    /// @notice Role: authorize and revoke keys.
    uint8 public constant OPERATE = 4;
    /// @notice Most keys an account holds (bounds `keys()`).
    uint256 public constant MAX_KEYS = 16;

    /// @notice EIP-712 type a key signs for the account: the hash the account is asked about.
    bytes32 public constant ACCOUNT_SIGNATURE_TYPEHASH = keccak256("AccountSignature(bytes32 hash)");

    bytes4 private constant INVALID = 0xffffffff;

    /// @custom:storage-location erc7201:clearhouse.storage.MemberAccount
    struct AccountStorage {
        address registry;
        EnumerableSet.AddressSet keys;
        mapping(address key => uint8 roles) roles;
        uint256 operators;
    }

    // keccak256(abi.encode(uint256(keccak256("clearhouse.storage.MemberAccount")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ACCOUNT_SLOT = 0x63f204c5b3cac1b8381c4441f7ed425fbadd47704cc65170f27dd0fbe723b200;

    function _a() private pure returns (AccountStorage storage $) {
        assembly {
            $.slot := ACCOUNT_SLOT
        }
    }

    /// @dev The EIP-712 domain's name and version live in the implementation's code (immutables);
    /// its verifying contract is each account's own address (OpenZeppelin rebuilds the separator
    /// when `address(this)` is not the implementation's).
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() EIP712("Clearhouse MemberAccount", "1") {
        _disableInitializers();
    }

    /// @notice Set the registry and the first key, which must hold OPERATE.
    /// @param registry_ the consortium registry (keys are bound there)
    /// @param firstKey the first key
    /// @param roles its roles (OPERATE included)
    function initialize(address registry_, address firstKey, uint8 roles) external initializer {
        if (registry_ == address(0)) revert MemberAccountZeroRegistry();
        if (roles & OPERATE == 0) revert MemberAccountInvalidRoles(roles);
        _a().registry = registry_;
        _authorize(firstKey, roles);
    }

    /// @inheritdoc IMemberAccount
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        _requireKey(SUBMIT);
        bytes4 selector = bytes4(data);
        AccountStorage storage $ = _a();
        // Not itself, not one of its own keys (a contract key obeying the account would act with
        // that key's roles), not the registry's key binding: key changes need OPERATE.
        if (
            target == address(this) ||
            $.roles[target] != 0 ||
            (target == $.registry &&
                (selector == IMemberKeys.bindKey.selector || selector == IMemberKeys.unbindKey.selector))
        ) revert MemberAccountForbiddenCall(target, selector);
        emit Executed(msg.sender, target, selector);
        result = Address.functionCall(target, data);
    }

    /// @inheritdoc IMemberAccount
    function authorizeKey(address key, uint8 roles) external {
        _requireOperator();
        _authorize(key, roles);
    }

    /// @inheritdoc IMemberAccount
    function revokeKey(address key) external {
        bool byGovernance = _requireOperator();
        AccountStorage storage $ = _a();
        uint8 previous = $.roles[key];
        if (previous == 0) revert MemberAccountUnknownKey(key);
        if (previous & OPERATE != 0) {
            if ($.operators == 1 && !byGovernance) revert MemberAccountLastOperator(key);
            $.operators -= 1;
        }
        delete $.roles[key];
        $.keys.remove(key);
        emit KeyRevoked(key, msg.sender);
        IMemberKeys registry_ = IMemberKeys($.registry);
        // Governance may have unbound it in the registry already.
        if (registry_.accountOfKey(key) == address(this)) registry_.unbindKey(key);
    }

    /// @inheritdoc IMemberAccount
    function resetKeys(address newKey, uint8 roles) external {
        if (msg.sender != _governance()) revert MemberAccountUnauthorized(msg.sender, OPERATE);
        if (roles & OPERATE == 0) revert MemberAccountInvalidRoles(roles);
        AccountStorage storage $ = _a();
        IMemberKeys registry_ = IMemberKeys($.registry);
        address[] memory old = $.keys.values(); // at most MAX_KEYS
        for (uint256 i = 0; i < old.length; ++i) {
            address key = old[i];
            delete $.roles[key];
            $.keys.remove(key);
            emit KeyRevoked(key, msg.sender);
            if (registry_.accountOfKey(key) == address(this)) registry_.unbindKey(key);
        }
        $.operators = 0;
        _authorize(newKey, roles);
    }

    /// @inheritdoc IERC1271
    /// @dev `signature` is the key's 20-byte address followed by the key's own signature of the
    /// account's EIP-712 digest of `hash` (`accountDigest(hash)`): 65-byte ECDSA for an EOA,
    /// whatever its ERC-1271 `isValidSignature` takes for a contract key such as an SM2Signer.
    /// Signing the account's digest, not `hash`, ties the signature to this account: one key's
    /// signature of `hash` never counts for two signers. Valid when the key holds APPROVE, is bound
    /// to this account, is not sanctioned, and its signature checks out (OpenZeppelin
    /// `SignatureChecker`). Never reverts.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length < 20) return INVALID;
        address key = address(bytes20(signature[:20]));
        if (!_holds(key, APPROVE)) return INVALID;
        return
            SignatureChecker.isValidSignatureNow(key, accountDigest(hash), signature[20:])
                ? IERC1271.isValidSignature.selector
                : INVALID;
    }

    /// @inheritdoc IMemberAccount
    function accountDigest(bytes32 hash) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ACCOUNT_SIGNATURE_TYPEHASH, hash)));
    }

    /// @inheritdoc IMemberAccount
    function rolesOf(address key) external view returns (uint8) {
        return _a().roles[key];
    }

    /// @inheritdoc IMemberAccount
    function keys() external view returns (address[] memory list, uint8[] memory roles) {
        AccountStorage storage $ = _a();
        list = $.keys.values();
        roles = new uint8[](list.length);
        for (uint256 i = 0; i < list.length; ++i) {
            roles[i] = $.roles[list[i]];
        }
    }

    /// @inheritdoc IMemberAccount
    function registry() external view returns (address) {
        return _a().registry;
    }

    // ================================================================ internals

    function _authorize(address key, uint8 roles) private {
        if (roles == 0 || roles & ~(SUBMIT | APPROVE | OPERATE) != 0) revert MemberAccountInvalidRoles(roles);
        AccountStorage storage $ = _a();
        if (key == address(0) || key == address(this) || key == $.registry) revert MemberAccountInvalidKey(key);
        uint8 previous = $.roles[key];
        if (previous == 0) {
            if ($.keys.length() >= MAX_KEYS) revert MemberAccountTooManyKeys(MAX_KEYS);
            $.keys.add(key);
        }
        if (previous & OPERATE == 0 && roles & OPERATE != 0) $.operators += 1;
        if (previous & OPERATE != 0 && roles & OPERATE == 0) {
            if ($.operators == 1 && msg.sender != _governance()) revert MemberAccountLastOperator(key);
            $.operators -= 1;
        }
        $.roles[key] = roles;
        emit KeyAuthorized(key, roles, msg.sender);
        if (previous == 0) IMemberKeys($.registry).bindKey(key);
    }

    /// @dev Revert unless the caller holds `role` and is bound to this account.
    function _requireKey(uint8 role) private view {
        if (!_holds(msg.sender, role)) revert MemberAccountUnauthorized(msg.sender, role);
    }

    /// @dev Governance, or a key holding OPERATE; returns whether it was governance.
    function _requireOperator() private view returns (bool byGovernance) {
        if (msg.sender == _governance()) return true;
        _requireKey(OPERATE);
        return false;
    }

    /// @dev The key holds `role` here, is bound to this account and is not sanctioned.
    function _holds(address key, uint8 role) private view returns (bool) {
        AccountStorage storage $ = _a();
        return $.roles[key] & role == role && IMemberKeys($.registry).signingAccountOf(key) == address(this);
    }

    function _governance() private view returns (address) {
        return Ownable(_a().registry).owner();
    }
}
