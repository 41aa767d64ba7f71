-- The notes the API serves. created_at is UTC with milliseconds; "newest first" reads the
-- (created_at, id) index backwards, and pagination continues from a (created_at, id) position.
CREATE TABLE notes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  text VARCHAR(500) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  KEY notes_newest_first (created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
