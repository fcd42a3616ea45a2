//! A one-off message for the next page ("Deleted … You can restore it from Trash"): shown by the shell on
//! the page it was meant for, and gone once the reader dismisses it or moves elsewhere.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[derive(Clone, Copy)]
pub struct Flash(RwSignal<Option<(String, String)>>);

impl Flash {
    /// Shows `message` on the page at `path` (the one about to be navigated to).
    pub fn show_on(self, path: impl Into<String>, message: impl Into<String>) {
        self.0.set(Some((path.into(), message.into())));
    }

    pub fn clear(self) {
        self.0.set(None);
    }
}

/// Provides the flash and returns its message for the current page.
pub fn provide_flash() -> (Flash, Signal<Option<String>>) {
    let flash = Flash(RwSignal::new(None));
    provide_context(flash);
    let pathname = use_location().pathname;
    // Leaving the page a message was meant for drops it.
    Effect::new(move |_| {
        let here = pathname.get();
        if flash
            .0
            .with_untracked(|f| f.as_ref().is_some_and(|(path, _)| *path != here))
        {
            flash.clear();
        }
    });
    let message = Signal::derive(move || {
        let here = pathname.get();
        flash
            .0
            .get()
            .filter(|(path, _)| *path == here)
            .map(|(_, message)| message)
    });
    (flash, message)
}

pub fn use_flash() -> Flash {
    use_context::<Flash>().unwrap_or_else(|| provide_flash().0)
}
