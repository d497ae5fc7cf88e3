package folio

import (
	"context"
	"time"
)

// Store is the persistence contract. Each engine (store/sqlite,
// store/postgres) implements it and passes store/storetest. Times are UTC,
// truncated to microseconds so both engines return the same values.
type Store interface {
	CommentStore
	SearchStore
	MediaStore

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

	// UpdateUser applies upd (validated by the caller). Deactivating a user
	// also ends their sessions. Returns ErrNotFound.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// FindUsers lists every user, by name.
	FindUsers(ctx context.Context) ([]*User, error)
	// CreateFirstAdmin stores u (validated, with a password hash) only if
	// tokenHash is the setup token held in SetupTokenSetting, and consumes
	// the token in the same transaction, so two submissions of one link
	// cannot both succeed. Returns ErrNotFound when the token is wrong or
	// used, and CreateUser's errors (the token then stays valid).
	CreateFirstAdmin(ctx context.Context, tokenHash string, u *User) error

	// FindTokens lists a user's API tokens, newest first. Hash is empty.
	FindTokens(ctx context.Context, userID int64) ([]*Token, error)
	// DeleteToken revokes token id of user userID. Returns ErrNotFound when
	// that user has no such token.
	DeleteToken(ctx context.Context, userID, id int64) error

	// CreateSession stores sess (whose Hash, UserID and ExpiresAt are set),
	// sets its ID and CreatedAt, and drops expired sessions.
	CreateSession(ctx context.Context, sess *Session) error
	// FindSession returns a live session by hash and its active user.
	// Returns ErrNotFound when the hash is unknown, the session expired or
	// the user is deactivated.
	FindSession(ctx context.Context, hash string) (*Session, *User, error)
	// DeleteSession ends the session with hash; unknown hashes are no error.
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions ends every session of userID but the one whose
	// hash is except (which may be empty).
	DeleteUserSessions(ctx context.Context, userID int64, except string) error

	// LoginFailures counts failed logins recorded under key since since.
	// Counters live in the database so every node shares them.
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	// AddLoginFailure records a failed login under key and returns the count
	// since since; an older count starts again at 1.
	AddLoginFailure(ctx context.Context, key string, since time.Time) (int, error)
	// ClearLoginFailures forgets the failures under key.
	ClearLoginFailures(ctx context.Context, key string) error

	// CreateInvite stores inv (Hash, UserID, ExpiresAt set) and sets its ID,
	// replacing the user's earlier invites.
	CreateInvite(ctx context.Context, inv *Invite) error
	// FindInvite returns a live invite by hash and its user. Returns ErrNotFound.
	FindInvite(ctx context.Context, hash string) (*Invite, *User, error)
	// AcceptInvite sets the invited user's password hash and consumes the
	// invite in one transaction. Returns ErrNotFound when the invite is
	// unknown, used or expired.
	AcceptInvite(ctx context.Context, hash, passwordHash string) (*User, error)

	// RestoreRevision copies revision revisionID's content back into its
	// article, which keeps a new revision by editorID. Returns ErrNotFound
	// when the revision is not one of article articleID's.
	RestoreRevision(ctx context.Context, articleID, revisionID, editorID int64) (*Article, error)

	// CreatePage stores p (validated) and sets its ID and times. Returns a
	// *ConflictError for "slug" when the slug is taken.
	CreatePage(ctx context.Context, p *Page) error
	// UpdatePage replaces page p.ID's title, slug and body. Returns
	// ErrNotFound or a *ConflictError for "slug".
	UpdatePage(ctx context.Context, p *Page) error
	// DeletePage removes a page. Returns ErrNotFound.
	DeletePage(ctx context.Context, id int64) error
	// FindPageByID returns ErrNotFound.
	FindPageByID(ctx context.Context, id int64) (*Page, error)
	// FindPageBySlug returns ErrNotFound.
	FindPageBySlug(ctx context.Context, slug string) (*Page, error)
	// FindPages lists pages by title.
	FindPages(ctx context.Context) ([]*Page, error)
	// Menu returns the site menu in order.
	Menu(ctx context.Context) ([]MenuItem, error)
	// SetMenu replaces the site menu (validated with ValidateMenu).
	SetMenu(ctx context.Context, items []MenuItem) error

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

// ChangeNotifier is implemented by stores that push content changes made
// by any process (PostgreSQL LISTEN/NOTIFY). The web server flushes its page
// cache on each call instead of waiting for its next poll.
type ChangeNotifier interface {
	// WatchChanges calls changed after every committed content change and
	// after every (re)connection, when changes may have been missed. It
	// blocks until ctx ends.
	WatchChanges(ctx context.Context, changed func()) error
}

// RedirectError is returned by FindArticleBySlug for a slug that moved.
type RedirectError struct{ Slug string }

func (e *RedirectError) Error() string { return "moved to " + e.Slug }
