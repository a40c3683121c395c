DROP INDEX users_account_name;
