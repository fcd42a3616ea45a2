//! Hydrates the server-rendered HTML so the page becomes interactive.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
