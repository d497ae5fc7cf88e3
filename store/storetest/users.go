package storetest

import (
	"errors"
	"testing"

	"folio"
)

func testCreateUser(t *testing.T, e *env) {
	u := &folio.User{
		Name:         "Ann Lee",
		Email:        " Ann.Lee@Example.COM ",
		Bio:          "Writes about South Asia.",
		Role:         folio.RoleEditor,
		PasswordHash: fakeHash,
	}
	if err := u.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if err := e.s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID <= 0 {
		t.Fatalf("CreateUser set ID %d, want > 0", u.ID)
	}
	want := &folio.User{
		ID: u.ID, Name: "Ann Lee", Slug: "ann-lee", Email: "ann.lee@example.com", Bio: "Writes about South Asia.",
		Role: folio.RoleEditor, PasswordHash: fakeHash, CreatedAt: e.clock.Stored(), UpdatedAt: e.clock.Stored(),
	}
	checkUser(t, "CreateUser", u, want)
	got, err := e.s.FindUserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatalf("FindUserByID: %v", err)
	}
	checkUser(t, "FindUserByID", got, want)

	// A user without a password (an imported author) keeps an empty hash.
	imported := mustCreateUser(t, e, folio.User{Name: "Imported Author", Role: folio.RoleAuthor})
	if imported.ID == u.ID {
		t.Errorf("two users share ID %d", u.ID)
	}
	got, err = e.s.FindUserByID(t.Context(), imported.ID)
	if err != nil {
		t.Fatalf("FindUserByID: %v", err)
	}
	checkUser(t, "FindUserByID(imported)", got, imported)
}

func testUserEmailConflict(t *testing.T, e *env) {
	newUser(t, e, "Ann Lee")
	for _, email := range []string{"ann.lee@example.com", " ANN.Lee@example.com"} {
		u := &folio.User{Name: "Someone Else", Email: email, Role: folio.RoleAuthor}
		if err := u.Validate(); err != nil {
			t.Fatalf("validate: %v", err)
		}
		err := e.s.CreateUser(t.Context(), u)
		wantConflict(t, "CreateUser with a taken email "+email, err, "email")
	}
	n, err := e.s.CountUsers(t.Context(), false)
	if err != nil {
		t.Fatalf("CountUsers: %v", err)
	}
	if n != 1 {
		t.Errorf("CountUsers = %d after refused duplicates, want 1", n)
	}
	// The refused user's slug is free for the next one.
	u := newUser(t, e, "Someone Else")
	if u.Slug != "someone-else" {
		t.Errorf("slug = %q, want %q", u.Slug, "someone-else")
	}
}

func testUserLookup(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	type lookup struct {
		name    string
		find    func() (*folio.User, error)
		want    *folio.User
		wantErr error
	}
	ctx := t.Context()
	tests := []lookup{
		{"by id", func() (*folio.User, error) { return e.s.FindUserByID(ctx, bob.ID) }, bob, nil},
		{"by unknown id", func() (*folio.User, error) { return e.s.FindUserByID(ctx, bob.ID+1000) }, nil, folio.ErrNotFound},
		{"by zero id", func() (*folio.User, error) { return e.s.FindUserByID(ctx, 0) }, nil, folio.ErrNotFound},
		{"by negative id", func() (*folio.User, error) { return e.s.FindUserByID(ctx, -1) }, nil, folio.ErrNotFound},
		{"by email", func() (*folio.User, error) { return e.s.FindUserByEmail(ctx, "ann.lee@example.com") }, ann, nil},
		{"by normalised email", func() (*folio.User, error) {
			return e.s.FindUserByEmail(ctx, folio.NormalizeEmail("  ANN.Lee@Example.Com "))
		}, ann, nil},
		{"by email in another case", func() (*folio.User, error) { return e.s.FindUserByEmail(ctx, "Bob.Stone@EXAMPLE.com") }, bob, nil},
		{"by unknown email", func() (*folio.User, error) { return e.s.FindUserByEmail(ctx, "nobody@example.com") }, nil, folio.ErrNotFound},
		{"by empty email", func() (*folio.User, error) { return e.s.FindUserByEmail(ctx, "") }, nil, folio.ErrNotFound},
		{"by email pattern", func() (*folio.User, error) { return e.s.FindUserByEmail(ctx, "%@example.com") }, nil, folio.ErrNotFound},
		{"by slug", func() (*folio.User, error) { return e.s.FindUserBySlug(ctx, "ann-lee") }, ann, nil},
		{"by unknown slug", func() (*folio.User, error) { return e.s.FindUserBySlug(ctx, "nobody") }, nil, folio.ErrNotFound},
		{"by slug pattern", func() (*folio.User, error) { return e.s.FindUserBySlug(ctx, "ann%") }, nil, folio.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.find()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("got %+v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			checkUser(t, tt.name, got, tt.want)
		})
	}
}

func testUserSlugSuffix(t *testing.T, e *env) {
	tests := []struct {
		user     folio.User
		wantSlug string
	}{
		{folio.User{Name: "Ann Lee", Email: "ann1@example.com"}, "ann-lee"},
		{folio.User{Name: "Ann Lee", Email: "ann2@example.com"}, "ann-lee-2"},
		{folio.User{Name: "ANN LEE", Email: "ann3@example.com"}, "ann-lee-3"},
		{folio.User{Name: "Андрей Петров", Email: "andrei@example.com"}, folio.Slugify("Андрей Петров")},
		{folio.User{Name: "!!!", Email: "bang1@example.com"}, "user"},
		{folio.User{Name: "???", Email: "bang2@example.com"}, "user-2"},
		// Author pages live under /author/, so a route word is a fine slug.
		{folio.User{Name: "Site Admin", Slug: "admin", Email: "admin@example.com"}, "admin"},
	}
	for _, tt := range tests {
		u := mustCreateUser(t, e, tt.user)
		if u.Slug != tt.wantSlug {
			t.Errorf("CreateUser(%q) slug = %q, want %q", tt.user.Name, u.Slug, tt.wantSlug)
		}
		got, err := e.s.FindUserBySlug(t.Context(), tt.wantSlug)
		if err != nil {
			t.Errorf("FindUserBySlug(%q): %v", tt.wantSlug, err)
			continue
		}
		if got.ID != u.ID {
			t.Errorf("FindUserBySlug(%q) = user %d, want %d", tt.wantSlug, got.ID, u.ID)
		}
	}
}

func testCountUsers(t *testing.T, e *env) {
	count := func(withPassword bool) int {
		t.Helper()
		n, err := e.s.CountUsers(t.Context(), withPassword)
		if err != nil {
			t.Fatalf("CountUsers(%v): %v", withPassword, err)
		}
		return n
	}
	if all, pw := count(false), count(true); all != 0 || pw != 0 {
		t.Fatalf("empty store: CountUsers = %d, %d with password; want 0, 0", all, pw)
	}
	mustCreateUser(t, e, folio.User{Name: "Imported One"})
	if all, pw := count(false), count(true); all != 1 || pw != 0 {
		t.Errorf("one user without password: CountUsers = %d, %d with password; want 1, 0", all, pw)
	}
	newUser(t, e, "Ann Lee")
	newUser(t, e, "Bob Stone")
	mustCreateUser(t, e, folio.User{Name: "Imported Two"})
	if all, pw := count(false), count(true); all != 4 || pw != 2 {
		t.Errorf("CountUsers = %d, %d with password; want 4, 2", all, pw)
	}
}

func testTokens(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	annTok := &folio.Token{UserID: ann.ID, Name: "cli", Hash: folio.HashSecret(folio.NewSecret())}
	bobTok := &folio.Token{UserID: bob.ID, Name: "ci", Hash: folio.HashSecret(folio.NewSecret())}
	ann2Tok := &folio.Token{UserID: ann.ID, Name: "laptop", Hash: folio.HashSecret(folio.NewSecret())}
	for _, tok := range []*folio.Token{annTok, bobTok, ann2Tok} {
		if err := e.s.CreateToken(t.Context(), tok); err != nil {
			t.Fatalf("CreateToken(%q): %v", tok.Name, err)
		}
		if tok.ID <= 0 {
			t.Errorf("CreateToken(%q) set ID %d, want > 0", tok.Name, tok.ID)
		}
	}
	if annTok.ID == bobTok.ID || annTok.ID == ann2Tok.ID {
		t.Errorf("tokens share IDs: %d, %d, %d", annTok.ID, bobTok.ID, ann2Tok.ID)
	}
	tests := []struct {
		name    string
		hash    string
		want    *folio.User
		wantErr error
	}{
		{"ann", annTok.Hash, ann, nil},
		{"bob", bobTok.Hash, bob, nil},
		{"ann's second token", ann2Tok.Hash, ann, nil},
		{"ann again", annTok.Hash, ann, nil},
		{"unknown", folio.HashSecret("folio_unknown"), nil, folio.ErrNotFound},
		{"empty", "", nil, folio.ErrNotFound},
		{"pattern", "%", nil, folio.ErrNotFound},
		{"secret instead of hash", folio.NewSecret(), nil, folio.ErrNotFound},
	}
	for _, tt := range tests {
		got, err := e.s.FindUserByTokenHash(t.Context(), tt.hash)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("FindUserByTokenHash(%s) = %+v, %v; want %v", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("FindUserByTokenHash(%s): %v", tt.name, err)
			continue
		}
		checkUser(t, "FindUserByTokenHash("+tt.name+")", got, tt.want)
	}
}
