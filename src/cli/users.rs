//! `wenping users …`: bootstrap and manage accounts from the server's own machine, without
//! default credentials. Secrets are printed once, alone on a line on stdout; what they are goes
//! to stderr, so `TOKEN=$(wenping users token create alice)` works.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::Duration;
use clap::Subcommand;
use uuid::Uuid;

use crate::auth::{password, secret};
use crate::domain::account::{Role, Scope, User, parse_username};
use crate::storage::accounts::UserChange;
use crate::storage::{Db, now};

/// Recorded as the actor of changes made from the command line.
const CLI_ACTOR: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; prints a generated password once
    Add {
        name: String,
        /// A role: admin, planner, expert, reviewer, committee (repeat for several)
        #[arg(long = "role", required = true, value_enum)]
        roles: Vec<Role>,
        /// A division-code prefix the user may see (repeat for several; none = everywhere)
        #[arg(long = "scope")]
        scope: Vec<String>,
    },
    /// List users with their roles and scopes
    List,
    /// Disable a user: sign-in, sessions and tokens stop working
    Disable { name: String },
    /// Give a user a new generated password, printed once; their sessions end
    ResetPassword { name: String },
    /// Create or revoke API tokens
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints it once, alone on its line
    Create {
        name: String,
        /// What the token is for
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until it expires (default: never)
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// Revoke a token by its id (see the API's token list)
    Revoke { token_id: Uuid },
}

pub async fn run(db: &Db, command: UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::Add { name, roles, scope } => add(db, &name, roles, &scope).await,
        UsersCommand::List => list(db).await,
        UsersCommand::Disable { name } => {
            let user = find(db, &name).await?;
            let change = UserChange {
                disabled: Some(true),
                ..UserChange::default()
            };
            db.update_user(&user, &change, CLI_ACTOR).await?;
            eprintln!("disabled {name}");
            Ok(())
        }
        UsersCommand::ResetPassword { name } => {
            let user = find(db, &name).await?;
            let new_password = password::generate();
            let change = UserChange {
                password_hash: Some(hash(new_password.clone()).await?),
                ..UserChange::default()
            };
            db.update_user(&user, &change, CLI_ACTOR).await?;
            eprintln!("new password for {name} (shown once):");
            println!("{new_password}");
            Ok(())
        }
        UsersCommand::Token {
            command:
                TokenCommand::Create {
                    name,
                    label,
                    expires_days,
                },
        } => {
            let user = find(db, &name).await?;
            let token = secret::new_secret(secret::API_TOKEN_PREFIX);
            let expires_at = expires_days.map(|d| now() + Duration::days(i64::from(d)));
            let stored = db
                .insert_token(
                    &user,
                    &label,
                    &secret::digest(&token),
                    &secret::display_prefix(&token),
                    expires_at,
                    CLI_ACTOR,
                )
                .await?;
            eprintln!("API token {} for {name} (shown once):", stored.id);
            println!("{token}");
            Ok(())
        }
        UsersCommand::Token {
            command: TokenCommand::Revoke { token_id },
        } => {
            let token = db.token(token_id).await?;
            db.revoke_token(&token, CLI_ACTOR).await?;
            eprintln!("revoked token {token_id}");
            Ok(())
        }
    }
}

async fn add(db: &Db, name: &str, roles: Vec<Role>, scope: &[String]) -> anyhow::Result<()> {
    let username = parse_username(name).map_err(anyhow::Error::msg)?;
    let scope = Scope::parse(scope).map_err(anyhow::Error::msg)?;
    let roles: BTreeSet<Role> = roles.into_iter().collect();
    let new_password = password::generate();
    let user = db
        .insert_user(
            &username,
            &hash(new_password.clone()).await?,
            &roles,
            &scope,
            CLI_ACTOR,
        )
        .await?;
    eprintln!(
        "created {} ({}); password (shown once):",
        user.username,
        describe(&user)
    );
    println!("{new_password}");
    Ok(())
}

async fn list(db: &Db) -> anyhow::Result<()> {
    for user in db.users().await? {
        println!(
            "{}\t{}{}",
            user.username,
            describe(&user),
            if user.disabled { "\tdisabled" } else { "" }
        );
    }
    Ok(())
}

fn describe(user: &User) -> String {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let scope = if user.scope.is_everywhere() {
        "everywhere".to_owned()
    } else {
        user.scope.prefixes().join(",")
    };
    format!("roles {}; scope {scope}", roles.join(","))
}

async fn find(db: &Db, name: &str) -> anyhow::Result<User> {
    db.user_by_name(name)
        .await?
        .with_context(|| format!("no user named {name}"))
}

async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}
