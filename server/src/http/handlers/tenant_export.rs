//! `GET /api/admin/export`: the administrator's own organisation as a `.tar.gz` download (the same archive as
//! `keel export-tenant`), streamed as it is produced. The tenant is the session's, never the client's.

use axum::{extract::State, response::Response};

use crate::{
    domain::tenant_export,
    http::{auth::AuthContext, download, error::ApiError, state::AppState},
};

pub async fn download(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Response, ApiError> {
    let archive = tenant_export::export_for(&state.services, &ctx.actor).await?;
    let filename = archive.filename.clone();
    download::attachment(archive.into_stream(), "application/gzip", &filename)
}
