//! Builds the whole HTTP application and runs it. Used by `keel serve` and by the integration tests alike.

use std::{net::SocketAddr, sync::Arc};

use app::api::InProcessApi;
use app::{shell, App};
use axum::{middleware, Router};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use super::{error::ApiError, observe, security, state::AppState};
use crate::{
    config::{Config, Environment},
    db,
    domain::{passwords, Services},
    observability::{self, Metrics},
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
    metrics: Arc<Metrics>,
    services: Services,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = db::connect(&config.database_url).await?;
        db::migrate_up(&db).await?;
        Self::build_with_db(config, db).await
    }

    pub async fn build_with_db(
        config: Config,
        mut db: DatabaseConnection,
    ) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: config.bind_addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: config.bind_addr,
            source,
        })?;
        passwords::warm_up().await;
        let metrics = Arc::new(Metrics::default());
        watch_statements(&mut db, metrics.clone(), config.slow_statement);
        let state = AppState {
            metrics,
            leptos_options: leptos_options(&config, local_addr),
            services: Services::new(db, config),
        };
        Ok(Self {
            listener,
            metrics: state.metrics.clone(),
            services: state.services.clone(),
            router: build_router(state),
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// The use cases' dependencies, as the handlers see them (tests call the domain with them).
    pub fn services(&self) -> Services {
        self.services.clone()
    }

    /// Serves until a shutdown signal; the scheduled jobs (reports, history retention) run beside it unless
    /// switched off (`KEEL_SCHEDULER=off`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.services.config.reports.scheduler {
            crate::jobs::report_schedules::spawn(self.services.clone());
            crate::jobs::history_retention::spawn(self.services.clone());
        }
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

/// The routes of the API and operations plus every page of the Leptos app. Pages are rendered with the app
/// state and the API router in context, so server-side rendering goes through the very same handlers, auth
/// and validation as the browser (`app::api`), in process.
pub fn build_router(state: AppState) -> Router {
    let page_routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let in_process_api = InProcessApi(super::router(&state).with_state(state.clone()));

    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            page_routes,
            move || {
                provide_context(context_state.clone());
                provide_context(in_process_api.clone());
            },
            move || shell(options.clone()),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            security::require_signed_in_pages,
        ))
        .route_layer(middleware::from_fn(security::page_policy));

    super::router(&state)
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(security::reject_cross_origin_writes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        // A panic in a handler becomes a 500 envelope (and is logged) instead of a dropped connection.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .with_state(state)
}

/// Counts every SQL statement and warns about slow ones, with the statement's text but never its values.
fn watch_statements(
    db: &mut DatabaseConnection,
    metrics: Arc<Metrics>,
    threshold: std::time::Duration,
) {
    db.set_metric_callback(move |info| {
        let slow = info.elapsed > threshold;
        metrics.observe_statement(slow);
        if slow {
            tracing::warn!(
                target: "keel::slow_statement",
                request_id = observability::current_request_id().unwrap_or_default(),
                elapsed_ms = info.elapsed.as_millis() as u64,
                threshold_ms = threshold.as_millis() as u64,
                failed = info.failed,
                statement = %info.statement.sql,
                "slow statement"
            );
        }
    });
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(
        request_id = observability::current_request_id().unwrap_or_default(),
        panic = message,
        "handler panicked"
    );
    axum::response::IntoResponse::into_response(ApiError::Panicked)
}

fn leptos_options(config: &Config, site_addr: SocketAddr) -> LeptosOptions {
    let reload_port = std::env::var("LEPTOS_RELOAD_PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3001);
    LeptosOptions::builder()
        .output_name("keel")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(site_addr)
        .reload_port(reload_port)
        .env(match config.environment {
            Environment::Development => Env::DEV,
            Environment::Production => Env::PROD,
        })
        .build()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
