package folio

import "time"

// SessionLifetime is how long a login lasts. Sessions live in the database,
// so any node can serve them and logout takes effect everywhere at once.
const SessionLifetime = 14 * 24 * time.Hour

// Session is a browser login. Only the SHA-256 hash of its cookie secret is
// stored (HashSecret), so a leaked database cannot be replayed as cookies.
type Session struct {
	ID        int64
	Hash      string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Invite lets a person who was added without a password choose one. Like a
// session, only the hash of its secret is stored; it works once.
type Invite struct {
	ID        int64
	Hash      string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SetupTokenSetting is the setting that holds HashSecret of the first-run
// setup token `folio serve` prints while nobody can log in.
const SetupTokenSetting = "setup_token_hash"

// UserUpdate changes the fields that are not nil.
type UserUpdate struct {
	Name         *string
	Bio          *string
	Role         *Role
	PasswordHash *string
	// Deactivated true stops the user from logging in and their tokens and
	// sessions from working; false restores access.
	Deactivated *bool
}

// Validate checks the fields that are set, as User.Validate does.
func (u *UserUpdate) Validate() error {
	probe := User{Name: "x", Email: "x@example.com", Role: RoleAuthor}
	if u.Name != nil {
		probe.Name = *u.Name
	}
	if u.Bio != nil {
		probe.Bio = *u.Bio
	}
	if u.Role != nil {
		probe.Role = *u.Role
	}
	if err := probe.Validate(); err != nil {
		return err
	}
	if u.Name != nil {
		u.Name = &probe.Name
	}
	return nil
}
