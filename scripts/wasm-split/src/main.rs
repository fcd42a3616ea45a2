//! `keel-wasm-split <input.wasm> <pkg dir> <main output.wasm> <output name>`
//!
//! Splits the frontend's WASM (linked with `--emit-relocs`) at its `#[lazy]` functions and lazy routes:
//! writes the main module for wasm-bindgen to `<main output.wasm>`, and the lazily loaded chunks, their
//! JavaScript loader and the prefetch manifest the server reads into `<pkg dir>` — the same files, under
//! the names leptos' `HydrationScripts` and `cargo leptos build --split` use, so pages load them alike.

use std::{collections::BTreeMap, fs, path::PathBuf, process::ExitCode};

/// The loader's name: leptos' `HydrationScripts` looks for this name.
const LINK_NAME: &str = "./__wasm_split.______________________.js";
const MANIFEST: &str = "__wasm_split_manifest.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, main_out, output_name] = args.as_slice() else {
        eprintln!("usage: keel-wasm-split <input.wasm> <pkg dir> <main output.wasm> <output name>");
        return ExitCode::from(2);
    };
    match split(input.into(), pkg_dir.into(), main_out.into(), output_name) {
        Ok(chunks) => {
            for chunk in chunks {
                println!("{}", chunk.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("keel-wasm-split: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: PathBuf,
    pkg_dir: PathBuf,
    main_out: PathBuf,
    output_name: &str,
) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let input_wasm = fs::read(&input).map_err(|error| format!("{}: {error}", input.display()))?;
    // Absolute, as cargo-leptos writes it: the chunks import the main module from the site's /pkg.
    let main_module = format!("/pkg/{output_name}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input_wasm);
        options.output_dir = &pkg_dir;
        options.main_out_path = &main_out;
        options.main_module = &main_module;
        options.link_name = LINK_NAME;
        options
    })?;
    // Sorted, so that the same input always gives the same file.
    let manifest: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    fs::write(
        pkg_dir.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(split.split_modules)
}
