//! The Invite User wizard's "Create user" with a password chosen now (changed at the first
//! sign-in before anything else), and the colleague's info checked on its own step.

use crate::helpers::SmtpSink;
use crate::helpers::wizard::give_role;
use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, assert_is_redirect_to};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;

on_both_backends!(
    a_created_user_must_change_the_password_first,
    a_taken_user_name_is_said_on_the_form,
    a_created_user_gets_no_email_when_send_invitation_email_is_unticked,
);

async fn a_created_user_must_change_the_password_first(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let step1 = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", "temp@example.test"), ("go", "next")],
        )
        .await;
    let access = admin
        .submit(
            &info,
            "#invite-wizard",
            &[
                ("first_name", "Tem"),
                ("last_name", "Porary"),
                ("go", "next"),
            ],
        )
        .await;
    let access = give_role(&admin, &access, "Viewer").await;
    let weak = admin
        .submit(
            &access,
            "#invite-wizard",
            &[
                ("password", "short"),
                ("password_confirm", "short"),
                ("go", "create"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.text().contains("12 characters"));
    let given = "copper kettle whistles at dawn";
    // The Search button with a password typed searches: nothing is created, and the
    // password is not drawn back into the form.
    let searched = admin
        .submit(
            &weak,
            "#invite-wizard",
            &[
                ("password", given),
                ("password_confirm", given),
                ("go", "view"),
            ],
        )
        .await;
    assert_eq!(searched.status, 200);
    assert!(!searched.body.contains(given));
    // Enter in the password field sends the form's first button ("enter"), with the search
    // left alone: it creates the user.
    let created = admin
        .submit(
            &searched,
            "#invite-wizard",
            &[
                ("password", given),
                ("password_confirm", given),
                ("go", "enter"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let shown = admin.get(created.location()).await;
    assert_eq!(
        shown.flash(),
        vec![
            "User temp@example.test created. Give them the password; they must change it \
             when they first sign in."
        ]
    );
    assert_eq!(shown.texts("td.status"), vec!["Active"]);
    let mut conn = backend.conn();
    let must: bool = users::table
        .filter(users::email.eq("temp@example.test"))
        .select(users::must_change_password)
        .first(&mut conn)
        .unwrap();
    assert!(must);
    // Send invitation email was left ticked: they are told the account exists, without
    // the password.
    let told = sink.wait_for(1).await;
    assert_eq!(told[0].to, vec!["temp@example.test"]);
    assert!(told[0].text().contains("created an account for you"));
    assert!(!told[0].text().contains(given), "never the password");

    // Every page leads to the password change until it is done.
    let temp = app.client();
    assert_eq!(temp.sign_in("temp@example.test", given).await.status, 303);
    for path in ["/profile", "/users", "/config"] {
        let page = temp.get(path).await;
        assert_eq!(
            (page.status, page.location()),
            (303, "/profile/password"),
            "{path}"
        );
    }
    let form = temp.get("/profile/password").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.texts("#password-required").len(), 1);
    let wrong = temp
        .submit(
            &form,
            "#change-password",
            &[
                ("current_password", "not it at all, no"),
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("not your current password"));
    let same = temp
        .submit(
            &wrong,
            "#change-password",
            &[
                ("current_password", given),
                ("password", given),
                ("password_confirm", given),
            ],
        )
        .await;
    assert_eq!(same.status, 422);
    let done = temp
        .submit(
            &same,
            "#change-password",
            &[
                ("current_password", given),
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_is_redirect_to(&done, "/profile");
    assert_eq!(temp.get("/profile").await.status, 200);
    let later = app.client();
    assert_eq!(
        later.sign_in("temp@example.test", given).await.status,
        200,
        "old password refused"
    );
    assert_eq!(
        later
            .sign_in("temp@example.test", STRONG_PASSWORD)
            .await
            .status,
        303
    );
}

async fn a_taken_user_name_is_said_on_the_form(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    crate::helpers::arrange_user(
        &mut conn,
        "gh@example.test",
        roster::domain::users::UserStatus::Active,
        Some("ghopper"),
    );
    let step1 = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", "grace@example.test"), ("go", "next")],
        )
        .await;
    let access = admin
        .submit(
            &info,
            "#invite-wizard",
            &[("username", "GHopper"), ("go", "next")],
        )
        .await;
    let access = give_role(&admin, &access, "Viewer").await;
    let refused = admin
        .submit(&access, "#invite-wizard", &[("go", "invite")])
        .await;
    assert_eq!(refused.status, 422);
    // Said beside the field, on the step that has it, with the rest kept.
    assert_eq!(
        refused.attr("#username", "value").as_deref(),
        Some("GHopper")
    );
    assert!(
        refused
            .texts("#username-error")
            .concat()
            .contains("The user name GHopper is taken"),
        "{}",
        refused.body
    );
    let found: i64 = users::table
        .filter(users::email.eq("grace@example.test"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(found, 0, "nothing stored");
    // Too long or with an @, refused on the info step itself.
    let long = "g".repeat(65);
    let mut refused = refused;
    for (given, said) in [(long.as_str(), "at most 64"), ("g@h", "no spaces or @")] {
        refused = admin
            .submit(
                &refused,
                "#invite-wizard",
                &[("username", given), ("go", "next")],
            )
            .await;
        assert_eq!(refused.status, 422);
        let message = refused.texts("#username-error").concat();
        assert!(message.contains(said), "{message}");
    }
    let fine = admin
        .submit(
            &refused,
            "#invite-wizard",
            &[("username", "grace.h"), ("go", "next")],
        )
        .await;
    assert_eq!(fine.status, 200);
    let done = admin
        .submit(&fine, "#invite-wizard", &[("go", "invite")])
        .await;
    assert_eq!(done.texts("#invited li"), vec!["grace@example.test"]);
}

async fn a_created_user_gets_no_email_when_send_invitation_email_is_unticked(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let access = crate::helpers::wizard::to_access(&admin, "quiet@example.test").await;
    let given = "copper kettle whistles at dawn";

    let created = admin
        .submit(
            &access,
            "#invite-wizard",
            &[
                ("send_email", ""),
                ("password", given),
                ("password_confirm", given),
                ("go", "create"),
            ],
        )
        .await;

    assert_eq!(created.status, 303, "{}", created.text());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.received().is_empty(), "no email when unticked");
}
