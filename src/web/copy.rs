//! Words that depend on a number: "1 user", "2 users", never "user(s)".

pub fn users(n: i64) -> String {
    if n == 1 {
        "1 user".to_owned()
    } else {
        format!("{n} users")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_user_is_singular_and_any_other_count_plural() {
        assert_eq!(super::users(1), "1 user");
        assert_eq!(super::users(0), "0 users");
        assert_eq!(super::users(1265), "1265 users");
    }
}
