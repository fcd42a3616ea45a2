//! `keel seed-demo`: a demo tenant with one user per role, so a new user can sign in and look around.
//! Running it again changes nothing.

use sea_orm::DatabaseConnection;
use shared::Role;

use super::{
    tenants::{self, NewUser},
    DomainError,
};
use crate::db::{self, accounts, demo_data};

pub const DEMO_TENANT: &str = "Demo Company";
/// Demo accounts are for a local trial only; the password is printed for the person running `./scripts/run`.
pub const DEMO_PASSWORD: &str = "keel-demo-2026";

pub struct DemoLogin {
    pub role: Role,
    pub email: String,
}

pub enum SeedOutcome {
    Created {
        logins: Vec<DemoLogin>,
        record_count: usize,
    },
    AlreadyPresent(Vec<DemoLogin>),
}

fn demo_users() -> Vec<(Role, &'static str, &'static str)> {
    vec![
        (Role::Admin, "admin@demo.keel.test", "Ada Admin"),
        (Role::Manager, "manager@demo.keel.test", "Maya Manager"),
        (Role::Member, "member@demo.keel.test", "Sam Member"),
        (Role::Viewer, "viewer@demo.keel.test", "Val Viewer"),
    ]
}

pub async fn seed_demo(db: &DatabaseConnection) -> Result<SeedOutcome, DomainError> {
    let logins: Vec<DemoLogin> = demo_users()
        .into_iter()
        .map(|(role, email, _)| DemoLogin {
            role,
            email: email.to_owned(),
        })
        .collect();
    let (_, admin_email, _) = demo_users()[0];
    if accounts::find_user_by_email(db, admin_email)
        .await?
        .is_some()
    {
        return Ok(SeedOutcome::AlreadyPresent(logins));
    }

    let txn = db::begin_write(db).await?;
    let mut users = demo_users().into_iter();
    let (role, email, name) = users.next().expect("the demo has an admin");
    let (tenant, admin) = tenants::create_tenant_with_admin(
        &txn,
        DEMO_TENANT,
        NewUser {
            email: email.into(),
            name: name.into(),
            role,
            password: DEMO_PASSWORD.into(),
        },
    )
    .await?;
    let mut user_ids = vec![admin.id];
    for (role, email, name) in users {
        let user = tenants::create_user(
            &txn,
            tenant.id,
            NewUser {
                email: email.into(),
                name: name.into(),
                role,
                password: DEMO_PASSWORD.into(),
            },
        )
        .await?;
        user_ids.push(user.id);
    }
    // Records are owned by the roles that can own them (not the viewer).
    let record_count = demo_data::insert_demo_records(&txn, tenant.id, &user_ids[..3]).await?;
    txn.commit().await?;
    Ok(SeedOutcome::Created {
        logins,
        record_count,
    })
}
