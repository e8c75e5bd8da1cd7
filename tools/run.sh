#!/usr/bin/env bash
# Installs what is missing, builds a release, and runs tandemd in the foreground on loopback with
# config/tandem.conf (ng on 127.0.0.1:2223). Extra arguments are passed to tandemd and override
# the file, e.g. `tools/run.sh --log-level=7 --listen-ng=127.0.0.1:22222`. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product tandemd
swift build -c release --product tandem-ctl
bin=$(swift build -c release --show-bin-path)
echo "tandemd: ng on 127.0.0.1:2223 (try: $bin/tandem-ctl ping)" >&2
exec "$bin/tandemd" --config-file=config/tandem.conf "$@"
