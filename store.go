package folio

import (
	"context"
	"time"
)

// Store is the persistence contract. Each engine (store/sqlite,
// store/postgres) implements it and passes store/storetest. Times are UTC,
// truncated to microseconds so both engines return the same values.
type Store interface {
	// CreateUser inserts u and sets its ID and times. u must be validated.
	// Returns a *ConflictError (ErrConflict) if the email is taken; a taken
	// slug gets a numeric suffix instead.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByID returns ErrNotFound if id is unknown.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail matches the normalised address. Returns ErrNotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUserBySlug returns ErrNotFound if slug is unknown.
	FindUserBySlug(ctx context.Context, slug string) (*User, error)
	// CountUsers counts users; withPassword counts only those who can log in.
	CountUsers(ctx context.Context, withPassword bool) (int, error)

	// CreateToken stores t (whose Hash is set) and sets its ID.
	CreateToken(ctx context.Context, t *Token) error
	// FindUserByTokenHash returns the token's owner and marks the token used.
	// Returns ErrNotFound if no token has that hash.
	FindUserByTokenHash(ctx context.Context, hash string) (*User, error)

	// CreateArticle validates nothing (callers run in.Validate) and stores a
	// new article with its first revision. An empty in.Slug is derived from
	// the title and made unique; an explicit slug that is taken returns a
	// *ConflictError for field "slug". Unknown AuthorIDs return a
	// *ValidationError for "author_email".
	CreateArticle(ctx context.Context, in ArticleInput) (*Article, error)
	// UpdateArticle applies upd, keeps a revision when the content changed,
	// records a 301 redirect when a public article's slug changes and sets
	// ModifiedAt when a public article's content changes. Returns ErrNotFound.
	UpdateArticle(ctx context.Context, id int64, upd ArticleUpdate) (*Article, error)
	// DeleteArticle removes an article forever; its slug answers 410 after.
	// Returns ErrNotFound.
	DeleteArticle(ctx context.Context, id int64) error
	// FindArticleByID returns ErrNotFound.
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticleBySlug finds an article of any status. If slug is unknown
	// it returns a *RedirectError when the slug moved, ErrGone when the
	// article was deleted forever, and ErrNotFound otherwise.
	FindArticleBySlug(ctx context.Context, slug string) (*Article, error)
	// FindArticles returns one page of matching articles and the total.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	// FindRevisions lists an article's revisions, newest first.
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	// PublishDue turns scheduled articles whose time has come into published
	// ones and returns how many it changed. Safe to call from many nodes.
	PublishDue(ctx context.Context) (int, error)
	// NextScheduled returns the earliest pending publish time, or nil.
	NextScheduled(ctx context.Context) (*time.Time, error)

	// FindTagBySlug returns ErrNotFound.
	FindTagBySlug(ctx context.Context, slug string) (*Tag, error)
	// FindTags lists tags with at least one public article, by name.
	FindTags(ctx context.Context) ([]*Tag, error)
	// FindSeriesBySlug returns ErrNotFound.
	FindSeriesBySlug(ctx context.Context, slug string) (*Series, error)
	// FindAuthors lists users who have at least one public article.
	FindAuthors(ctx context.Context) ([]*Author, error)

	// Setting returns a site setting, or "" when unset.
	Setting(ctx context.Context, key string) (string, error)
	// SetSetting stores a site setting.
	SetSetting(ctx context.Context, key, value string) error

	// ContentVersion is a counter bumped in the same transaction as every
	// write that can change a public page, so caches in this and other
	// processes (the CLI, other nodes) know when to drop rendered pages.
	ContentVersion(ctx context.Context) (int64, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
}

// RedirectError is returned by FindArticleBySlug for a slug that moved.
type RedirectError struct{ Slug string }

func (e *RedirectError) Error() string { return "moved to " + e.Slug }
