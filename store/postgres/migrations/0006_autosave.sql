-- Autosaves replace the editor's previous autosave instead of piling up.
ALTER TABLE revisions ADD COLUMN autosave BOOLEAN NOT NULL DEFAULT FALSE;
