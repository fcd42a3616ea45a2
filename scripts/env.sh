# Sourced by the other scripts: where builds and tools live. The Cargo build cache stays outside the clone
# so that every fresh clone on this machine (CI included) reuses it.
KEEL_CACHE="${KEEL_CACHE:-$HOME/.cache/keel}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$KEEL_CACHE/target}"
# Incremental caches grew the shared target directory by tens of GB (one copy per clone path) and CI's fresh
# clones rebuild the workspace crates anyway.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.cargo/bin:$KEEL_CACHE/venv/bin:$(npm prefix -g 2>/dev/null)/bin:$PATH"
# cargo-leptos writes the site (WASM, JS, CSS) under the target directory.
export KEEL_SITE_ROOT="${KEEL_SITE_ROOT:-$CARGO_TARGET_DIR/site}"
mkdir -p "$KEEL_CACHE"
export LEPTOS_SITE_ROOT="$KEEL_SITE_ROOT"
