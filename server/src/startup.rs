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
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

use crate::{
    auth::{self, token::TokenKeys},
    config::{Config, Environment},
    db, routes, security,
    state::AppState,
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
        db: DatabaseConnection,
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
        auth::password::warm_up().await;
        let state = AppState {
            leptos_options: leptos_options(&config, local_addr),
            tokens: Arc::new(TokenKeys::new(&config.jwt_secret)),
            login_throttle: Arc::default(),
            config: Arc::new(config),
            db,
        };
        Ok(Self {
            listener,
            router: build_router(state),
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
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
    let in_process_api = InProcessApi(routes::router().with_state(state.clone()));

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
        ));

    routes::router()
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(security::reject_cross_origin_writes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
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
