package folio

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Role decides what a user may do; see the access rules in web.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleAuthor Role = "author"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleEditor || r == RoleAuthor }

// CanEditOthers reports whether r may change articles it did not write.
func (r Role) CanEditOthers() bool { return r == RoleAdmin || r == RoleEditor }

// User is a writer, editor or administrator. Demo and imported authors may
// have no PasswordHash: they appear in bylines but cannot log in.
type User struct {
	ID           int64
	Name         string
	Slug         string
	Email        string
	Bio          string
	Role         Role
	PasswordHash string
	// Deactivated users cannot log in; their sessions and tokens stop
	// working. CreateUser ignores it: new users are active.
	Deactivated bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NormalizeEmail lowercases and trims an address so lookups are case-blind.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Validate checks the fields a user must have and fills Slug from Name when
// empty. It normalises Email.
func (u *User) Validate() error {
	u.Name = strings.TrimSpace(u.Name)
	u.Email = NormalizeEmail(u.Email)
	switch {
	case u.Name == "":
		return Invalid("name", "is required")
	case utf8.RuneCountInString(u.Name) > 100:
		return Invalid("name", "must be at most 100 characters")
	case u.Email == "":
		return Invalid("email", "is required")
	case len(u.Email) > 254:
		return Invalid("email", "is too long")
	case !u.Role.Valid():
		return Invalid("role", "must be admin, editor or author")
	case utf8.RuneCountInString(u.Bio) > 2000:
		return Invalid("bio", "must be at most 2000 characters")
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return Invalid("email", "is not a valid e-mail address")
	}
	if u.Slug == "" {
		u.Slug = Slugify(u.Name)
		if u.Slug == "" {
			u.Slug = "user"
		}
	} else if err := ValidateSlug("slug", u.Slug); err != nil && !IsReservedSlug(u.Slug) {
		return err
	}
	return nil
}

// Token is an API token. Only its SHA-256 hash is stored; the secret is
// shown once at creation.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
