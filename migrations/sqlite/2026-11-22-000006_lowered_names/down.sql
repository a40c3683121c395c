DROP INDEX roles_account_name;
CREATE UNIQUE INDEX roles_account_name ON roles(account_id, lower(name));
ALTER TABLE roles DROP COLUMN name_lower;
DROP INDEX companies_account_code;
CREATE UNIQUE INDEX companies_account_code ON companies(account_id, lower(code));
ALTER TABLE companies DROP COLUMN code_lower;
DROP INDEX accounts_name_lower;
ALTER TABLE accounts DROP COLUMN name_lower;
