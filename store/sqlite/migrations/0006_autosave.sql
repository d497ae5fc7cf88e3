-- Autosaves replace the editor's previous autosave instead of piling up.
ALTER TABLE revisions ADD COLUMN autosave INTEGER NOT NULL DEFAULT 0 CHECK (autosave IN (0, 1));
