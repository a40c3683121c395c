-- Case-insensitive names and codes are lowered by the application (SQLite's lower() folds
-- only ASCII), stored, and made unique on the stored value on both backends.
ALTER TABLE accounts ADD COLUMN name_lower TEXT NOT NULL DEFAULT '';
UPDATE accounts SET name_lower = lower(name);
CREATE INDEX accounts_name_lower ON accounts(name_lower);

ALTER TABLE companies ADD COLUMN code_lower TEXT NOT NULL DEFAULT '';
UPDATE companies SET code_lower = lower(code);
DROP INDEX companies_account_code;
CREATE UNIQUE INDEX companies_account_code ON companies(account_id, code_lower);

ALTER TABLE roles ADD COLUMN name_lower TEXT NOT NULL DEFAULT '';
UPDATE roles SET name_lower = lower(name);
DROP INDEX roles_account_name;
CREATE UNIQUE INDEX roles_account_name ON roles(account_id, name_lower);
