-- Translations of one article share a group: the id of the first of them.
-- Pages link each other with hreflang.
ALTER TABLE articles ADD COLUMN translation_group INTEGER;
CREATE INDEX articles_translation ON articles (translation_group);
