//! Realistic demo records for the demo tenant: a few hundred leads, clients, projects, accounts and tasks,
//! generated deterministically (the same every run) and inserted in batches.

use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DbErr, Statement};

const COMPANY_WORDS: &[&str] = &[
    "Northwind",
    "Bluebird",
    "Acorn",
    "Summit",
    "Harbor",
    "Lumen",
    "Cedar",
    "Atlas",
    "Copper",
    "Maple",
    "Orbit",
    "Pioneer",
    "Quartz",
    "Riverside",
    "Sable",
    "Tidewater",
    "Upland",
    "Vertex",
    "Willow",
    "Zephyr",
];
const COMPANY_KINDS: &[&str] = &[
    "Logistics",
    "Dental",
    "Analytics",
    "Bakery",
    "Consulting",
    "Robotics",
    "Studios",
    "Outfitters",
    "Health",
    "Energy",
    "Legal",
    "Foods",
    "Labs",
    "Media",
    "Builders",
];
const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger",
    "Hedy", "Tim",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Lamarr",
    "Berners-Lee",
];
const SOURCES: &[&str] = &[
    "Website",
    "Referral",
    "Trade show",
    "Cold call",
    "LinkedIn",
    "Newsletter",
];
const INDUSTRIES: &[&str] = &[
    "Retail",
    "Healthcare",
    "Manufacturing",
    "Software",
    "Hospitality",
    "Finance",
    "Education",
];
const PROJECT_KINDS: &[&str] = &[
    "Website redesign",
    "CRM rollout",
    "Data migration",
    "Brand refresh",
    "Mobile app",
    "Security audit",
    "Onboarding",
];
const TASK_VERBS: &[&str] = &[
    "Call",
    "Email",
    "Prepare proposal for",
    "Schedule demo with",
    "Follow up with",
    "Send invoice to",
];

/// A tiny deterministic generator: demo data must not change between runs.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

async fn ids(db: &impl ConnectionTrait, table: &str, tenant_id: i64) -> Result<Vec<i64>, DbErr> {
    let sql = format!("SELECT id FROM {table} WHERE tenant_id = $1 ORDER BY id");
    let statement =
        Statement::from_sql_and_values(db.get_database_backend(), sql, [tenant_id.into()]);
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect()
}

/// A date value (PostgreSQL refuses text for a `date` column; SQLite stores it as `YYYY-MM-DD` either way).
fn date(dice: &mut Dice, year: u64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(
        year as i32,
        1 + dice.below(12) as u32,
        1 + dice.below(28) as u32,
    )
    .expect("months 1-12 and days 1-28 exist in every year")
}

pub async fn insert_demo_records(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_ids: &[i64],
) -> Result<usize, DbErr> {
    let mut dice = Dice(0x6b65656c);
    let company =
        |dice: &mut Dice| format!("{} {}", dice.pick(COMPANY_WORDS), dice.pick(COMPANY_KINDS));
    let person = |dice: &mut Dice| format!("{} {}", dice.pick(FIRST), dice.pick(LAST));
    let phone =
        |dice: &mut Dice| format!("+1 (555) {:03}-{:04}", dice.below(1000), dice.below(10000));
    let owner = |dice: &mut Dice| user_ids[(dice.below(user_ids.len() as u64)) as usize];
    let creator = user_ids[0];
    let mut total = 0;

    let lead_statuses = [
        "new",
        "contacted",
        "qualified",
        "proposal",
        "negotiation",
        "won",
        "lost",
    ];
    let mut leads = Query::insert();
    leads.into_table(Alias::new("leads")).columns(
        [
            "tenant_id",
            "company_name",
            "contact_name",
            "email",
            "phone",
            "lead_status",
            "source",
            "created_by",
            "assigned_to",
        ]
        .map(Alias::new),
    );
    for n in 0..180 {
        let name = company(&mut dice);
        let contact = person(&mut dice);
        let email = format!(
            "{}.{n}@{}.example",
            contact.split(' ').next().unwrap_or("info").to_lowercase(),
            name.split(' ').next().unwrap_or("acme").to_lowercase()
        );
        leads.values_panic([
            tenant_id.into(),
            name.into(),
            contact.into(),
            email.into(),
            phone(&mut dice).into(),
            dice.pick(&lead_statuses).into(),
            dice.pick(SOURCES).into(),
            creator.into(),
            owner(&mut dice).into(),
        ]);
    }
    db.execute(&leads).await?;
    total += 180;

    let client_statuses = ["new", "active", "active", "active", "inactive", "churned"];
    let mut clients = Query::insert();
    clients.into_table(Alias::new("clients")).columns(
        [
            "tenant_id",
            "company_name",
            "contact_name",
            "email",
            "phone",
            "website",
            "client_status",
            "created_by",
            "assigned_to",
        ]
        .map(Alias::new),
    );
    for n in 0..60 {
        // Client names are unique per tenant (case-insensitive), so each carries its number.
        let name = format!("{} {}", company(&mut dice), n + 1);
        let slug = name.to_lowercase().replace(' ', "-");
        clients.values_panic([
            tenant_id.into(),
            name.clone().into(),
            person(&mut dice).into(),
            format!("hello@{slug}.example").into(),
            phone(&mut dice).into(),
            format!("https://{slug}.example").into(),
            dice.pick(&client_statuses).into(),
            creator.into(),
            owner(&mut dice).into(),
        ]);
    }
    db.execute(&clients).await?;
    total += 60;
    let client_ids = ids(db, "clients", tenant_id).await?;

    let project_statuses = [
        "planning",
        "active",
        "active",
        "on_hold",
        "completed",
        "cancelled",
    ];
    let mut projects = Query::insert();
    projects.into_table(Alias::new("projects")).columns(
        [
            "tenant_id",
            "project_name",
            "client_id",
            "project_status",
            "budget",
            "actual_cost",
            "start_date",
            "end_date",
            "created_by",
            "assigned_to",
        ]
        .map(Alias::new),
    );
    for (n, client_id) in client_ids.iter().cycle().take(100).enumerate() {
        let budget = (5 + dice.below(200)) as i64 * 100_000; // 5,000.00 – 205,000.00
        let start = date(&mut dice, 2026);
        let end = date(&mut dice, 2027);
        projects.values_panic([
            tenant_id.into(),
            format!("{} #{}", dice.pick(PROJECT_KINDS), n + 1).into(),
            (*client_id).into(),
            dice.pick(&project_statuses).into(),
            budget.into(),
            (budget * dice.below(120) as i64 / 100).into(),
            start.into(),
            end.into(),
            creator.into(),
            owner(&mut dice).into(),
        ]);
    }
    db.execute(&projects).await?;
    total += 100;
    let project_ids = ids(db, "projects", tenant_id).await?;

    let mut accounts = Query::insert();
    accounts.into_table(Alias::new("accounts")).columns(
        [
            "tenant_id",
            "account_name",
            "client_id",
            "account_type",
            "industry",
            "annual_revenue",
            "created_by",
            "assigned_to",
        ]
        .map(Alias::new),
    );
    for (n, client_id) in client_ids.iter().take(45).enumerate() {
        accounts.values_panic([
            tenant_id.into(),
            format!("{} account {}", company(&mut dice), n + 1).into(),
            (*client_id).into(),
            dice.pick(&["customer", "customer", "partner", "vendor"])
                .into(),
            dice.pick(INDUSTRIES).into(),
            ((10 + dice.below(5000)) as i64 * 100_000).into(),
            creator.into(),
            owner(&mut dice).into(),
        ]);
    }
    db.execute(&accounts).await?;
    total += 45;

    let task_statuses = ["todo", "todo", "in_progress", "review", "done", "cancelled"];
    let mut tasks = Query::insert();
    tasks.into_table(Alias::new("tasks")).columns(
        [
            "tenant_id",
            "title",
            "task_status",
            "priority",
            "due_date",
            "project_id",
            "created_by",
            "assigned_to",
        ]
        .map(Alias::new),
    );
    for project_id in project_ids.iter().cycle().take(150) {
        tasks.values_panic([
            tenant_id.into(),
            format!("{} {}", dice.pick(TASK_VERBS), person(&mut dice)).into(),
            dice.pick(&task_statuses).into(),
            dice.pick(&["low", "medium", "medium", "high", "urgent"])
                .into(),
            date(&mut dice, 2027).into(),
            (*project_id).into(),
            creator.into(),
            owner(&mut dice).into(),
        ]);
    }
    db.execute(&tasks).await?;
    total += 150;
    Ok(total)
}
