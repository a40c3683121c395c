-- Deactivation is per company: the membership stays (so Reactivate restores its access)
-- with when it was deactivated and the Substitute User who takes over there.
ALTER TABLE memberships ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE memberships ADD COLUMN substitute_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
