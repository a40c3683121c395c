DROP INDEX invitations_expires_at;
DROP TABLE outbox;
