# Shared by every .ci script: where the set-up puts tools, and the versions it pins.
# Sourced, not run.
TRUNK_VERSION=0.21.14          # newest Trunk whose rust-version fits rustc 1.95 (0.22 needs 1.96.1)
BINARYEN_MAJOR=132             # npm binaryen: Debian's 108 produces a module that fails to load
ESBUILD_VERSION=0.25.12        # npm esbuild: minifies the release build's JS, CSS and HTML (.ci/minify.py)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/foundry-keyring-tools}"
export PATH="$CARGO_HOME/bin:$TOOLS_DIR/node_modules/.bin:$PATH"
# Trunk's cargo: passes through, and builds the first screen with erased views (cargo-for-trunk/cargo).
export PATH="$ROOT/.ci/cargo-for-trunk:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print}' "$ROOT/Cargo.lock")
T0=${T0:-$SECONDS}
step() { echo "=== [$((SECONDS - T0))s] $*"; }

# Skipping a build whose inputs have not changed, so a rerun does not redo 2-3 minutes of
# wasm-bindgen and wasm-opt. `inputs_hash PATH... -- SETTING...` hashes the contents of the
# files under the paths (what the build reads) and the settings (environment, tool versions);
# the build writes it into its output directory, which the next build of that output wipes.
inputs_hash() {
  local paths=() settings=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do paths+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  settings=("$@")
  {
    (cd "$ROOT" && find "${paths[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    printf '%s\n' "${settings[@]}"
  } | sha256sum | cut -c1-64
}
# True when DIR holds a build of exactly HASH.
built_from() { [ -f "$1/.build-inputs" ] && [ "$(cat "$1/.build-inputs")" = "$2" ]; }
