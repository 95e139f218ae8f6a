//! What `wenping serve --demo` prints: the demo county made and one account per role with its password (shown
//! this once), or why the demo was skipped. In Chinese and English, like the service.

use std::io::{self, Write};
use std::net::SocketAddr;

use crate::app::demo::{Demo, DemoCounty};
use crate::reports::labels::{Group, Lang};

/// The first line of the demo's block; the block ends with [`END`].
pub const BEGIN: &str = "==== 演示县 / demo county ====";
pub const END: &str = "==== 密码只显示这一次 / the passwords are shown this once ====";

pub fn print(out: &mut impl Write, demo: &Demo, addr: SocketAddr) -> io::Result<()> {
    match demo {
        Demo::Seeded(county) => print_county(out, county, addr)?,
        Demo::Skipped(held) => writeln!(
            out,
            "演示数据未添加：数据库中已有数据（{d} 项决策、{u} 个账号、{p} 条信访件），按原样提供服务。\n\
             Demo skipped: the database already holds data ({d} decisions, {u} accounts, {p} petitions); \
             serving it as it is.\n\
             忘记密码 / forgot a password: wenping users reset-password NAME",
            d = held.decisions,
            u = held.users,
            p = held.petitions,
        )?,
    }
    out.flush()
}

fn print_county(out: &mut impl Write, county: &DemoCounty, addr: SocketAddr) -> io::Result<()> {
    let zh = Lang::Zh;
    let en = Lang::En;
    writeln!(out, "{BEGIN}")?;
    writeln!(
        out,
        "{name}（{code}）：{t} 个乡镇（街道）、{v} 个村（社区）；信访件 {p} 条，三年，截至 {m}\n\
         {name} ({code}): {t} townships, {v} villages; {p} petitions over three years up to {m}",
        name = county.county,
        code = county.county_code,
        t = county.townships,
        v = county.villages,
        p = county.petitions,
        m = county.through_month,
    )?;
    writeln!(
        out,
        "数据来源 / provenance: {}",
        county.provenance.join("; ")
    )?;
    writeln!(out, "决策事项 / decisions:")?;
    for d in &county.decisions {
        let level = d.residual_level.as_deref().map_or_else(String::new, |l| {
            format!(
                "  措施后 {} / residual {}",
                zh.word(Group::Levels, l),
                en.word(Group::Levels, l)
            )
        });
        writeln!(
            out,
            "  [{} / {}] {}（{}）{level}",
            zh.word(Group::DecisionStatuses, d.status.as_str()),
            d.status.as_str(),
            d.title,
            zh.word(Group::DecisionKinds, d.kind.as_str()),
        )?;
    }
    writeln!(
        out,
        "跟踪预警 {a} 条（决策后信访激增）/ {a} follow-up alert(s) (a petition spike after a resolution)",
        a = county.alerts
    )?;
    writeln!(
        out,
        "账号（每个角色一个）/ accounts, one per role:\n  {:<10} {:<12} {:<22} 说明 / who",
        "role", "username", "password"
    )?;
    for a in &county.accounts {
        writeln!(
            out,
            "  {:<10} {:<12} {:<22} {} / {}",
            a.role.as_str(),
            a.username,
            a.password,
            a.zh,
            a.en
        )?;
    }
    writeln!(
        out,
        "在浏览器中打开 http://{addr}/ ，先到登录页。/ Open http://{addr}/ in a browser: it opens the sign-in page.\n\
         演示数据用时 / made in {:.1} s",
        county.took.as_secs_f64()
    )?;
    writeln!(out, "{END}")
}
