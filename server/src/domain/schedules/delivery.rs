//! Delivering a run: an email to each recipient over SMTP (`KEEL_SMTP_URL`) with the row count, a download
//! link and the CSV attached when it is small enough, and a signed webhook POST. Each recipient and the
//! webhook is tried on its own, so one failure never stops the others; every outcome goes into the run's
//! history.

use std::{io::Read, time::Duration};

use hmac::{Hmac, Mac};
use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use serde_json::json;
use sha2::Sha256;
use shared::schedules::Delivery;

use super::runner::{file_path, Produced};
use crate::{db::schedules::ScheduleRow, domain::Services};

/// The header carrying `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "X-Keel-Signature";
/// Webhook attempts before giving up, and the wait before the second (doubled before each next one).
const WEBHOOK_ATTEMPTS: u32 = 3;
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// Delivers a produced run to every recipient and the webhook.
pub async fn deliver(
    svc: &Services,
    row: &ScheduleRow,
    run_id: i64,
    produced: &Produced,
) -> Vec<Delivery> {
    let download_url = format!(
        "{}/api/report-runs/{run_id}/download",
        svc.config.reports.public_url
    );
    let mut deliveries = Vec::new();
    let recipients: Vec<String> = serde_json::from_str(&row.recipients).unwrap_or_default();
    if !recipients.is_empty() {
        deliveries.extend(email(svc, row, produced, &download_url, &recipients).await);
    }
    if let Some(url) = &row.webhook_url {
        deliveries.push(webhook(row, run_id, produced, &download_url, url).await);
    }
    deliveries
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: what a receiver recomputes to trust a call.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn webhook(
    row: &ScheduleRow,
    run_id: i64,
    produced: &Produced,
    download_url: &str,
    url: &str,
) -> Delivery {
    let body = json!({
        "schedule_id": row.id,
        "view_id": row.view_id,
        "view_name": row.view_name,
        "entity": row.entity,
        "run_id": run_id,
        "rows": produced.rows,
        "bytes": produced.bytes,
        "download_url": download_url,
    })
    .to_string();
    let signed = signature(&row.webhook_secret, body.as_bytes());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let mut delivery = Delivery {
        channel: "webhook".into(),
        target: url.to_owned(),
        status: "failed".into(),
        attempts: 0,
        error: None,
    };
    let client = match client {
        Ok(client) => client,
        Err(err) => {
            delivery.error = Some(err.to_string());
            return delivery;
        }
    };
    let mut wait = FIRST_RETRY;
    for attempt in 1..=WEBHOOK_ATTEMPTS {
        delivery.attempts = attempt;
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, &signed)
            .header("X-Keel-Run", run_id.to_string())
            .body(body.clone())
            .send()
            .await;
        let retry = match sent {
            Ok(response) if response.status().is_success() => {
                delivery.status = "sent".into();
                delivery.error = None;
                return delivery;
            }
            Ok(response) => {
                let status = response.status();
                delivery.error = Some(format!("the receiver answered {status}"));
                status.is_server_error() || status.as_u16() == 429
            }
            Err(err) => {
                delivery.error = Some(format!("could not reach the receiver: {err}"));
                true
            }
        };
        tracing::warn!(schedule = row.id, run = run_id, attempt, error = ?delivery.error, "webhook delivery failed");
        if !retry || attempt == WEBHOOK_ATTEMPTS {
            break;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
    delivery
}

async fn email(
    svc: &Services,
    row: &ScheduleRow,
    produced: &Produced,
    download_url: &str,
    recipients: &[String],
) -> Vec<Delivery> {
    let failed = |target: &str, error: String| Delivery {
        channel: "email".into(),
        target: target.to_owned(),
        status: "failed".into(),
        attempts: 1,
        error: Some(error),
    };
    let settings = &svc.config.reports;
    let Some(url) = &settings.smtp_url else {
        return recipients
            .iter()
            .map(|to| {
                failed(
                    to,
                    "Email is not configured on this server (KEEL_SMTP_URL)".into(),
                )
            })
            .collect();
    };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose()) {
        Ok(builder) => builder.timeout(Some(Duration::from_secs(30))).build(),
        Err(err) => {
            return recipients
                .iter()
                .map(|to| failed(to, format!("KEEL_SMTP_URL is not usable: {err}")))
                .collect()
        }
    };
    let from: Mailbox = match settings.smtp_from.parse() {
        Ok(from) => from,
        Err(err) => {
            return recipients
                .iter()
                .map(|to| failed(to, format!("KEEL_SMTP_FROM is not an address: {err}")))
                .collect()
        }
    };
    let attachment = csv_attachment(svc, produced);
    let subject = format!(
        "{}: {} {}",
        row.view_name,
        produced.rows,
        if produced.rows == 1 { "row" } else { "rows" }
    );
    let mut text = format!(
        "Your scheduled report \"{}\" has {} {}.\n\nDownload it: {download_url}\n",
        row.view_name,
        produced.rows,
        if produced.rows == 1 { "row" } else { "rows" },
    );
    if attachment.is_none() {
        text.push_str(&format!(
            "\nThe file is larger than {} bytes, so it is not attached.\n",
            settings.attachment_max_bytes
        ));
    }
    let mut deliveries = Vec::new();
    for to in recipients {
        let message = match to.parse::<Mailbox>() {
            Ok(mailbox) => build_message(&from, mailbox, &subject, &text, &attachment),
            Err(err) => Err(err.to_string()),
        };
        let outcome = match message {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|err| err.to_string()),
            Err(err) => Err(err),
        };
        deliveries.push(match outcome {
            Ok(()) => Delivery {
                channel: "email".into(),
                target: to.clone(),
                status: "sent".into(),
                attempts: 1,
                error: None,
            },
            Err(err) => {
                tracing::warn!(schedule = row.id, recipient = %to, error = %err, "report email failed");
                failed(to, err)
            }
        });
    }
    deliveries
}

fn build_message(
    from: &Mailbox,
    to: Mailbox,
    subject: &str,
    text: &str,
    attachment: &Option<(String, Vec<u8>)>,
) -> Result<Message, String> {
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject);
    let built = match attachment {
        Some((name, bytes)) => builder.multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text.to_owned()))
                .singlepart(Attachment::new(name.clone()).body(
                    bytes.clone(),
                    ContentType::parse("text/csv; charset=utf-8").map_err(|err| err.to_string())?,
                )),
        ),
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned()),
    };
    built.map_err(|err| err.to_string())
}

/// The CSV itself, when it fits under the attachment limit.
fn csv_attachment(svc: &Services, produced: &Produced) -> Option<(String, Vec<u8>)> {
    let limit = svc.config.reports.attachment_max_bytes;
    let file = std::fs::File::open(file_path(svc, &produced.file)).ok()?;
    let mut csv = Vec::new();
    flate2::read::GzDecoder::new(file)
        .take(limit + 1)
        .read_to_end(&mut csv)
        .ok()?;
    if csv.len() as u64 > limit {
        return None;
    }
    let name = produced
        .file
        .rsplit('/')
        .next()
        .unwrap_or("report.csv.gz")
        .trim_end_matches(".gz")
        .to_owned();
    Some((format!("report-{name}"), csv))
}
