//! Monitoring check for administrators (plan Step 1.5.8): throws a test error in a component and a test
//! panic, so an administrator can see that browser errors reach the error tracker, tagged as from the browser.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    error_reporting::AppErrorBoundary,
    session::{is_admin, use_current_user},
};

/// The error the test component renders.
#[derive(Debug, Clone)]
struct TestError;

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keel monitoring check: a test error thrown in a component")
    }
}

impl std::error::Error for TestError {}

#[component]
pub fn DiagnosticsPage() -> impl IntoView {
    let me = use_current_user();
    view! {
        <Title text="Diagnostics"/>
        <section class="page-header">
            <h1>"Diagnostics"</h1>
            <p class="muted">"Check that errors in the browser reach the error tracker."</p>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if is_admin(&me.0.await) {
                    view! { <MonitoringCheck/> }.into_any()
                } else {
                    view! { <p class="muted">"Only administrators can run diagnostics."</p> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn MonitoringCheck() -> impl IntoView {
    let throw = RwSignal::new(false);
    view! {
        <div class="card stack">
            <h2>"Browser error reporting"</h2>
            <p>"Each button causes a deliberate error in this browser. It is reported to the server and, when Sentry is configured, appears there tagged "<code>"source: browser"</code>"."</p>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| throw.set(true)>"Throw a test error in a component"</button>
                // Handlers run only in the browser, where the panic hook reports the panic.
                <button type="button" class="button danger" on:click=|_| panic!("Keel monitoring check: a test panic")>
                    "Trigger a test panic"
                </button>
            </div>
            <AppErrorBoundary>
                {move || if throw.get() { Err(TestError) } else { Ok(view! { <p class="muted" data-testid="check-idle">"No test error yet."</p> }) }}
            </AppErrorBoundary>
        </div>
    }
}
