//! Hydrates the server-rendered HTML so the page becomes interactive.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic still logs to the console, and is also reported to the server and replaced by a notice with a
    // Reload link: the app cannot recover by itself once it has panicked.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        app::error_reporting::on_panic(&info.to_string());
    }));
    app::hydrate();
}
