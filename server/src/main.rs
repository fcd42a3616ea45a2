//! `keel`: the one binary that serves Keel and administers its database. Parses the command line and hands
//! the command to `server::cli`.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use server::{
    cli::{self, Cli, Command},
    config::Config,
    telemetry,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("keel: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match cli::run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("keel: {err}");
            ExitCode::FAILURE
        }
    }
}
