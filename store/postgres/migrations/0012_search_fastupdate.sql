-- Article writes put their search entries in the GIN index's pending list
-- instead of into the index proper: with fastupdate off, a write of an
-- article of 900 words inserted some 500 entries one by one (8 ms of a
-- 16 ms write at 100,000 articles). Every article write queues the job
-- that refreshes related lists, and sqlstore.RefreshRelated first merges
-- the pending list into the index, in bulk and off the request path, so
-- searches (which read the whole pending list) find it nearly empty. The
-- search pool's planner settings (sqlstore.SetSearchPool) keep searches on
-- the index whatever the list holds; 0004's reason for fastupdate off.
ALTER INDEX search_docs_doc SET (fastupdate = on);
