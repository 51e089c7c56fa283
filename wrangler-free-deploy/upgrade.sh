#!/usr/bin/env bash
# Upgrades an installed govirthost to this bundle: install.sh --upgrade, which refuses when nothing
# is installed. Keeps the config, the tokens and the database (copied first to govirthost.db.bak);
# the new agent applies its migrations when it starts. Takes install.sh's options (e.g. --root DIR).
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install.sh" --upgrade "$@"
