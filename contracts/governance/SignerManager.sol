// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumMultisig} from "./IConsortiumMultisig.sol";
import {MultisigStorage} from "./MultisigStorage.sol";

/// @title SignerManager — who signs and how many must
/// @notice Signer changes happen only through the multisig's own (timelocked) proposals. Every
/// change of signers or threshold bumps the signer-set epoch, which voids the on-chain approvals
/// and the queue entries made under the old set: they must be approved again by the new one.
abstract contract SignerManager is MultisigStorage {
    uint256 internal constant MAX_SIGNERS = 64;

    function _initSigners(address[] memory signers_, uint8 threshold) internal {
        if (signers_.length > MAX_SIGNERS) revert MultisigTooManySigners(signers_.length, MAX_SIGNERS);
        for (uint256 i; i < signers_.length; ++i) {
            _add(signers_[i]);
            emit SignerAdded(signers_[i], 0);
        }
        _setThreshold(threshold);
    }

    /// @inheritdoc IConsortiumMultisig
    function addSigner(address signer, uint8 threshold) external onlySelf {
        if (_signers.length >= MAX_SIGNERS) revert MultisigTooManySigners(_signers.length + 1, MAX_SIGNERS);
        _add(signer);
        uint32 epoch = _bumpEpoch();
        emit SignerAdded(signer, epoch);
        _setThreshold(threshold);
    }

    /// @inheritdoc IConsortiumMultisig
    function removeSigner(address signer, uint8 threshold) external onlySelf {
        uint256 slot = _signerSlot[signer];
        if (slot == 0) revert MultisigNotSigner(signer);
        address last = _signers[_signers.length - 1];
        _signers[slot - 1] = last;
        _signerSlot[last] = slot;
        _signers.pop();
        delete _signerSlot[signer];
        uint32 epoch = _bumpEpoch();
        emit SignerRemoved(signer, epoch);
        _setThreshold(threshold);
    }

    /// @inheritdoc IConsortiumMultisig
    function rotateSigner(address oldSigner, address newSigner) external onlySelf {
        uint256 slot = _signerSlot[oldSigner];
        if (slot == 0) revert MultisigNotSigner(oldSigner);
        _validateNew(newSigner);
        _signers[slot - 1] = newSigner;
        _signerSlot[newSigner] = slot;
        delete _signerSlot[oldSigner];
        uint32 epoch = _bumpEpoch();
        emit SignerRemoved(oldSigner, epoch);
        emit SignerAdded(newSigner, epoch);
    }

    /// @inheritdoc IConsortiumMultisig
    function changeThreshold(uint8 threshold) external onlySelf {
        _bumpEpoch();
        _setThreshold(threshold);
    }

    function _add(address signer) private {
        _validateNew(signer);
        _signers.push(signer);
        _signerSlot[signer] = _signers.length;
    }

    function _validateNew(address signer) private view {
        if (signer == address(0) || signer == address(this) || _signerSlot[signer] != 0) {
            revert MultisigInvalidSigner(signer);
        }
    }

    function _setThreshold(uint8 threshold) private {
        uint256 count = _signers.length;
        if (threshold == 0 || threshold > count) revert MultisigInvalidThreshold(threshold, count);
        _config.threshold = threshold;
        emit ThresholdChanged(threshold, _config.epoch);
    }

    function _bumpEpoch() private returns (uint32 epoch) {
        epoch = _config.epoch + 1;
        _config.epoch = epoch;
    }
}
