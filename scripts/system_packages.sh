#!/usr/bin/env bash
# The Debian packages the app needs beside Python and Node: Pango for WeasyPrint (the region's
# report as a PDF, evaluations/pdf/report.py) and the DejaVu fonts the report embeds. Installed with
# apt-get only when missing (make setup and .ci/run call this); elsewhere it says what to install.
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system_packages.sh: not a Debian system; install Pango (>= 1.44) and the DejaVu fonts yourself." >&2
  exit 0
fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "system_packages.sh: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
