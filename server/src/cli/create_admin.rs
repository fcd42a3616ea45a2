//! `keel create-admin --tenant "Acme" --email ada@acme.test --name "Ada" [--password-stdin]`.

use std::io::BufRead;

use clap::Args;
use shared::Role;

use super::{describe, AnyError};
use crate::{
    config::Config,
    db,
    domain::tenants::{self, NewUser},
};

#[derive(Args)]
pub struct CreateAdmin {
    /// The organisation's name, e.g. "Acme Corp".
    #[arg(long)]
    tenant: String,
    /// The administrator's email address (used to sign in).
    #[arg(long)]
    email: String,
    /// The administrator's full name.
    #[arg(long)]
    name: String,
    /// Read the password from the first line of standard input instead of KEEL_ADMIN_PASSWORD.
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(config: Config, args: CreateAdmin) -> Result<(), AnyError> {
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        std::env::var("KEEL_ADMIN_PASSWORD").map_err(|_| {
            "create-admin: give the password in KEEL_ADMIN_PASSWORD or with --password-stdin"
        })?
    };
    let db = db::connect(&config.database_url).await?;
    db::migrate_up(&db).await?;
    let (tenant, user) = tenants::create_tenant_with_admin(
        &db,
        &args.tenant,
        NewUser {
            email: args.email,
            name: args.name,
            role: Role::Admin,
            password,
        },
    )
    .await
    .map_err(describe)?;
    println!(
        "Created tenant \"{}\" ({}) with administrator {}",
        tenant.name, tenant.slug, user.email
    );
    Ok(())
}
