#!/usr/bin/env bash
# SoftHSM2 (a PKCS#11 token in files) and pkcs11-tool for the HSM tests (test/helpers/softhsm.ts
# creates its own throw-away token directory): install Debian's packages when the module or the
# tools are missing.
set -euo pipefail
MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ ! -e "$MODULE" ] || ! command -v softhsm2-util >/dev/null 2>&1 || ! command -v pkcs11-tool >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq softhsm2 opensc >/dev/null
fi
[ -e "$MODULE" ] || { echo "SoftHSM2's module $MODULE is still missing after the install" >&2; exit 1; }
