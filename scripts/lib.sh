# Helpers the bench scripts share. A script sources this after changing to the repository root:
#   cd "$(dirname "$0")/.."
#   source scripts/lib.sh

# The sourcing script's name, for its messages.
script_name=$(basename "$0")

# Builds the release cnnlab (.build/release/cnnlab). A failed build prints its output and ends
# the script: timing the binary an older build left behind would measure the wrong code.
build_release() {
  command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
  local log
  log=$(mktemp)
  if ! swift build -c release --product cnnlab >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$script_name: the release build failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
}

# The share of the CPUs (percent) busy over two seconds. Called while the script itself is idle,
# it measures everyone else.
busy() {
  local u n s i w q sq st
  read -r _ u n s i w q sq st _ < /proc/stat
  local b0=$((u + n + s + q + sq + st)) t0=$((u + n + s + i + w + q + sq + st))
  sleep 2
  read -r _ u n s i w q sq st _ < /proc/stat
  local b1=$((u + n + s + q + sq + st)) t1=$((u + n + s + i + w + q + sq + st))
  echo $(( 100 * (b1 - b0) / (t1 - t0) ))
}

# Waits (up to QUIET_WAIT seconds, default 300) until other processes use under 10% of the CPUs,
# then prints what it found, e.g. "3% busy": numbers taken while something else is busy do not
# compare.
quiet() {
  local waited=0 b
  while b=$(busy); [ "$b" -ge 10 ] && [ "$waited" -lt "${QUIET_WAIT:-300}" ]; do
    waited=$((waited + 2))
  done
  echo "$b% busy"
}

# Checks that VENV (default /tmp/anchors-venv) holds a Python that imports torch, and ends the
# script with a message saying what is missing when it does not.
need_torch() {
  VENV="${VENV:-/tmp/anchors-venv}"
  [ -x "$VENV/bin/python" ] || {
    echo "$script_name: no Python at $VENV/bin/python (set VENV)" >&2
    exit 1
  }
  "$VENV/bin/python" -c "import torch" || {
    echo "$script_name: torch does not import in $VENV (set VENV)" >&2
    exit 1
  }
}
