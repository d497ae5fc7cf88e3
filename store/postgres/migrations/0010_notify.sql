-- Every content change bumps site_state.content_version in the writing
-- transaction; this trigger announces it on commit, so every node's page
-- cache is flushed at once instead of at its next poll. The payload names
-- the schema, so sites (or tests) sharing a database ignore each other.
CREATE FUNCTION folio_notify_content() RETURNS trigger AS $$
BEGIN
	PERFORM pg_notify('folio_content', current_schema() || ':' || NEW.content_version::text);
	RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER site_state_notify AFTER UPDATE OF content_version ON site_state
	FOR EACH ROW EXECUTE FUNCTION folio_notify_content();
