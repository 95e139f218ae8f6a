//! `wenping users …`: bootstrap and manage accounts from the server's own machine, without
//! default credentials. Secrets are printed once, alone on a line on stdout; what they are goes
//! to stderr, so `TOKEN=$(wenping users token create alice)` works.

use clap::Subcommand;
use uuid::Uuid;

use crate::app::Context;
use crate::app::accounts::{self, AccountChange};
use crate::domain::account::{Role, User};
use crate::domain::principal::Principal;

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

/// Every command acts as the operator of the machine, recorded as `cli` in the audit log.
pub async fn run(ctx: &Context, command: UsersCommand) -> anyhow::Result<()> {
    let operator = Principal::operator();
    let operator = &operator;
    match command {
        UsersCommand::Add { name, roles, scope } => {
            let created = accounts::create_user(ctx, operator, &name, &roles, &scope).await?;
            eprintln!(
                "created {} ({}); password (shown once):",
                created.user.username,
                describe(&created.user)
            );
            println!("{}", created.password);
            Ok(())
        }
        UsersCommand::List => {
            for user in accounts::users(ctx, operator).await? {
                println!(
                    "{}\t{}{}",
                    user.username,
                    describe(&user),
                    if user.disabled { "\tdisabled" } else { "" }
                );
            }
            Ok(())
        }
        UsersCommand::Disable { name } => {
            let user = accounts::user_named(ctx, operator, &name).await?;
            let change = AccountChange {
                disabled: Some(true),
                ..AccountChange::default()
            };
            accounts::change_user(ctx, operator, user.id, change).await?;
            eprintln!("disabled {name}");
            Ok(())
        }
        UsersCommand::ResetPassword { name } => {
            let user = accounts::user_named(ctx, operator, &name).await?;
            let new_password = accounts::reset_password(ctx, operator, user.id).await?;
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
            let user = accounts::user_named(ctx, operator, &name).await?;
            let created =
                accounts::create_token(ctx, operator, user.id, &label, expires_days).await?;
            eprintln!("API token {} for {name} (shown once):", created.token.id);
            println!("{}", created.secret);
            Ok(())
        }
        UsersCommand::Token {
            command: TokenCommand::Revoke { token_id },
        } => {
            accounts::revoke_token_by_id(ctx, operator, token_id).await?;
            eprintln!("revoked token {token_id}");
            Ok(())
        }
    }
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
