DROP INDEX users_two_factor_on;
DROP INDEX users_two_factor_off;
DROP TABLE recovery_codes;
