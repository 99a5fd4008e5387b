# Shared by every .ci script: where the set-up puts tools, and the versions it pins.
# Sourced, not run.
TRUNK_VERSION=0.21.14          # newest Trunk whose rust-version fits rustc 1.95 (0.22 needs 1.96.1)
BINARYEN_MAJOR=132             # npm binaryen: Debian's 108 produces a module that fails to load
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/foundry-keyring-tools}"
export PATH="$CARGO_HOME/bin:$TOOLS_DIR/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print}' "$ROOT/Cargo.lock")
T0=${T0:-$SECONDS}
step() { echo "=== [$((SECONDS - T0))s] $*"; }
