package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"folio"
)

func testUpdateUser(t *testing.T, e *env) {
	u := mustCreateUser(t, e, folio.User{Name: "Ann Lee", Bio: "Old bio."})
	other := newUser(t, e, "Bob Stone")
	want := *u
	steps := []struct {
		name   string
		upd    folio.UserUpdate
		expect func(w *folio.User)
		bumps  bool // bylines and author pages show it
	}{
		{"name", folio.UserUpdate{Name: ptr("  Ann Lee-Smith ")}, func(w *folio.User) { w.Name = "Ann Lee-Smith" }, true},
		{"bio", folio.UserUpdate{Bio: ptr("New bio.")}, func(w *folio.User) { w.Bio = "New bio." }, true},
		{"role", folio.UserUpdate{Role: ptr(folio.RoleEditor)}, func(w *folio.User) { w.Role = folio.RoleEditor }, false},
		{"password", folio.UserUpdate{PasswordHash: ptr(fakeHash)}, func(w *folio.User) { w.PasswordHash = fakeHash }, false},
		{"deactivate", folio.UserUpdate{Deactivated: ptr(true)}, func(w *folio.User) { w.Deactivated = true }, false},
		{"reactivate", folio.UserUpdate{Deactivated: ptr(false)}, func(w *folio.User) { w.Deactivated = false }, false},
		{"several", folio.UserUpdate{Name: ptr("Ann"), Role: ptr(folio.RoleAdmin)}, func(w *folio.User) {
			w.Name, w.Role = "Ann", folio.RoleAdmin
		}, true},
	}
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		v := mustVersion(t, e.s)
		if err := st.upd.Validate(); err != nil {
			t.Fatalf("%s: invalid test update: %v", st.name, err)
		}
		got, err := e.s.UpdateUser(t.Context(), u.ID, st.upd)
		if err != nil {
			t.Fatalf("%s: UpdateUser: %v", st.name, err)
		}
		st.expect(&want)
		want.UpdatedAt = e.clock.Stored()
		checkUser(t, st.name+": UpdateUser", got, &want)
		found, err := e.s.FindUserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("%s: FindUserByID: %v", st.name, err)
		}
		checkUser(t, st.name+": FindUserByID", found, &want)
		if after := mustVersion(t, e.s); st.bumps && after <= v {
			t.Errorf("%s: ContentVersion %d → %d, want an increase", st.name, v, after)
		}
	}
	if got, err := e.s.FindUserByID(t.Context(), other.ID); err != nil {
		t.Errorf("FindUserByID(other): %v", err)
	} else {
		checkUser(t, "the other user", got, other)
	}
	_, err := e.s.UpdateUser(t.Context(), other.ID+1000, folio.UserUpdate{Bio: ptr("x")})
	wantErr(t, "UpdateUser(unknown)", err, folio.ErrNotFound)
}

func testDeactivatedUser(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	ctx := t.Context()
	annSess := mustCreateSession(t, e, ann.ID)
	bobSess := mustCreateSession(t, e, bob.ID)
	tok := &folio.Token{UserID: ann.ID, Name: "cli", Hash: folio.HashSecret(folio.NewSecret())}
	if err := e.s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if _, err := e.s.UpdateUser(ctx, ann.ID, folio.UserUpdate{Deactivated: ptr(true)}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	_, _, err := e.s.FindSession(ctx, annSess.Hash)
	wantErr(t, "FindSession of a deactivated user", err, folio.ErrNotFound)
	if u, err := e.s.FindUserByTokenHash(ctx, tok.Hash); err == nil && !u.Deactivated {
		t.Errorf("FindUserByTokenHash of a deactivated user's token = %+v, want ErrNotFound or a deactivated user", u)
	}
	if _, u, err := e.s.FindSession(ctx, bobSess.Hash); err != nil || u.ID != bob.ID {
		t.Errorf("another user's session: %v, %v", u, err)
	}
	// Reactivation restores access but not the sessions deactivation ended.
	if _, err := e.s.UpdateUser(ctx, ann.ID, folio.UserUpdate{Deactivated: ptr(false)}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	_, _, err = e.s.FindSession(ctx, annSess.Hash)
	wantErr(t, "FindSession after reactivation", err, folio.ErrNotFound)
	if u, err := e.s.FindUserByTokenHash(ctx, tok.Hash); err != nil || u.ID != ann.ID || u.Deactivated {
		t.Errorf("FindUserByTokenHash after reactivation = %+v, %v; want the active user", u, err)
	}
	fresh := mustCreateSession(t, e, ann.ID)
	if _, u, err := e.s.FindSession(ctx, fresh.Hash); err != nil || u.ID != ann.ID {
		t.Errorf("a new session after reactivation: %+v, %v", u, err)
	}

	// A session that exists while its user is deactivated does not work,
	// however it came to exist.
	if _, err := e.s.UpdateUser(ctx, bob.ID, folio.UserUpdate{Deactivated: ptr(true)}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	late := &folio.Session{Hash: folio.HashSecret(folio.NewSecret()), UserID: bob.ID, ExpiresAt: e.clock.Now().Add(time.Hour)}
	if err := e.s.CreateSession(ctx, late); err == nil {
		_, _, err := e.s.FindSession(ctx, late.Hash)
		wantErr(t, "FindSession of a session created for a deactivated user", err, folio.ErrNotFound)
	}
}

func testFindUsers(t *testing.T, e *env) {
	list, err := e.s.FindUsers(t.Context())
	if err != nil {
		t.Fatalf("FindUsers: %v", err)
	}
	if len(list) != 0 {
		t.Errorf("FindUsers on an empty store = %d users", len(list))
	}
	cid := newUser(t, e, "Cid Moss")
	ann := mustCreateUser(t, e, folio.User{Name: "Ann Lee"}) // no password
	bob := newUser(t, e, "Bob Stone")
	upd, err := e.s.UpdateUser(t.Context(), bob.ID, folio.UserUpdate{Deactivated: ptr(true)})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	list, err = e.s.FindUsers(t.Context())
	if err != nil {
		t.Fatalf("FindUsers: %v", err)
	}
	want := []*folio.User{ann, upd, cid}
	if len(list) != len(want) {
		t.Fatalf("FindUsers = %d users, want %d", len(list), len(want))
	}
	for i, w := range want {
		checkUser(t, fmt.Sprintf("FindUsers[%d]", i), list[i], w)
	}
}

func testCreateFirstAdmin(t *testing.T, e *env) {
	ctx := t.Context()
	admin := func(email string) *folio.User {
		u := &folio.User{Name: "First Admin", Email: email, Role: folio.RoleAdmin, PasswordHash: fakeHash}
		if err := u.Validate(); err != nil {
			t.Fatalf("validate: %v", err)
		}
		return u
	}
	count := func() int {
		t.Helper()
		n, err := e.s.CountUsers(ctx, false)
		if err != nil {
			t.Fatalf("CountUsers: %v", err)
		}
		return n
	}
	// No setup token yet: nothing, not even an empty hash, may pass.
	for _, h := range []string{"", folio.HashSecret("")} {
		err := e.s.CreateFirstAdmin(ctx, h, admin("early@example.com"))
		wantErr(t, fmt.Sprintf("CreateFirstAdmin(%q) without a setup token", h), err, folio.ErrNotFound)
	}
	// A setup token setting left empty is no token either.
	if err := e.s.SetSetting(ctx, folio.SetupTokenSetting, ""); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	err := e.s.CreateFirstAdmin(ctx, "", admin("empty@example.com"))
	wantErr(t, "CreateFirstAdmin(\"\") with an empty setup token setting", err, folio.ErrNotFound)
	secret := folio.NewSecret()
	if err := e.s.SetSetting(ctx, folio.SetupTokenSetting, folio.HashSecret(secret)); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	for _, h := range []string{"", folio.HashSecret("wrong"), secret} {
		err := e.s.CreateFirstAdmin(ctx, h, admin("wrong@example.com"))
		wantErr(t, fmt.Sprintf("CreateFirstAdmin(%q)", h), err, folio.ErrNotFound)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d users after refused setups, want 0", n)
	}

	// CreateUser's errors leave the token valid.
	mustCreateUser(t, e, folio.User{Name: "Imported", Email: "taken@example.com"})
	err = e.s.CreateFirstAdmin(ctx, folio.HashSecret(secret), admin("taken@example.com"))
	wantConflict(t, "CreateFirstAdmin with a taken email", err, "email")

	u := admin("admin@example.com")
	if err := e.s.CreateFirstAdmin(ctx, folio.HashSecret(secret), u); err != nil {
		t.Fatalf("CreateFirstAdmin: %v", err)
	}
	if u.ID <= 0 {
		t.Errorf("CreateFirstAdmin set ID %d", u.ID)
	}
	got, err := e.s.FindUserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatalf("FindUserByEmail: %v", err)
	}
	if got.ID != u.ID || got.Role != folio.RoleAdmin || got.PasswordHash != fakeHash {
		t.Errorf("stored admin = %+v", got)
	}
	checkTime(t, "admin CreatedAt", got.CreatedAt, e.clock.Stored())
	err = e.s.CreateFirstAdmin(ctx, folio.HashSecret(secret), admin("second@example.com"))
	wantErr(t, "CreateFirstAdmin with a used token", err, folio.ErrNotFound)
	if n := count(); n != 2 {
		t.Errorf("%d users, want 2", n)
	}
}

func testCreateFirstAdminOnce(t *testing.T, e *env) {
	secret := folio.NewSecret()
	if err := e.s.SetSetting(t.Context(), folio.SetupTokenSetting, folio.HashSecret(secret)); err != nil {
		t.Fatalf("SetSetting: %v", err)
	}
	const n = 8
	errs := runConcurrently(n, func(i int) error {
		u := &folio.User{Name: fmt.Sprintf("Admin %d", i), Email: fmt.Sprintf("admin%d@example.com", i),
			Role: folio.RoleAdmin, PasswordHash: fakeHash}
		if err := u.Validate(); err != nil {
			return err
		}
		return e.s.CreateFirstAdmin(t.Context(), folio.HashSecret(secret), u)
	})
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, folio.ErrNotFound):
			t.Errorf("submission %d: %v, want nil or ErrNotFound", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent submissions of one setup link succeeded, want 1", won, n)
	}
	if c, err := e.s.CountUsers(t.Context(), false); err != nil || c != 1 {
		t.Errorf("CountUsers = %d, %v; want 1", c, err)
	}
}

func testTokenList(t *testing.T, e *env) {
	ctx := t.Context()
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	var annToks []*folio.Token
	for _, name := range []string{"first", "second", "third"} {
		e.clock.Advance(time.Minute)
		tok := &folio.Token{UserID: ann.ID, Name: name, Hash: folio.HashSecret(folio.NewSecret())}
		if err := e.s.CreateToken(ctx, tok); err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		tok.CreatedAt = e.clock.Stored()
		annToks = append(annToks, tok)
	}
	bobTok := &folio.Token{UserID: bob.ID, Name: "bob's", Hash: folio.HashSecret(folio.NewSecret())}
	if err := e.s.CreateToken(ctx, bobTok); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	// The second token is used now: only its LastUsedAt is set.
	e.clock.Advance(time.Hour)
	if u, err := e.s.FindUserByTokenHash(ctx, annToks[1].Hash); err != nil || u.ID != ann.ID {
		t.Fatalf("FindUserByTokenHash = %v, %v", u, err)
	}
	used := e.clock.Stored()
	check := func(label string, want []*folio.Token, lastUsed map[int64]time.Time) {
		t.Helper()
		got, err := e.s.FindTokens(ctx, ann.ID)
		if err != nil {
			t.Fatalf("%s: FindTokens: %v", label, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: FindTokens = %d tokens, want %d", label, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.ID != w.ID || g.UserID != ann.ID || g.Name != w.Name || g.Hash != "" {
				t.Errorf("%s: FindTokens[%d] = %+v, want ID %d %q with no hash", label, i, *g, w.ID, w.Name)
			}
			checkTime(t, fmt.Sprintf("%s: token %q CreatedAt", label, w.Name), g.CreatedAt, w.CreatedAt)
			var wantUsed *time.Time
			if lu, ok := lastUsed[w.ID]; ok {
				wantUsed = &lu
			}
			checkTimePtr(t, fmt.Sprintf("%s: token %q LastUsedAt", label, w.Name), g.LastUsedAt, wantUsed)
		}
	}
	check("after use", []*folio.Token{annToks[2], annToks[1], annToks[0]}, map[int64]time.Time{annToks[1].ID: used})

	// Revoking: only the owner's own token, once.
	err := e.s.DeleteToken(ctx, bob.ID, annToks[0].ID)
	wantErr(t, "DeleteToken of another user's token", err, folio.ErrNotFound)
	if u, err := e.s.FindUserByTokenHash(ctx, annToks[0].Hash); err != nil || u.ID != ann.ID {
		t.Errorf("the token survived a refused revocation? FindUserByTokenHash = %v, %v", u, err)
	}
	used = e.clock.Stored()
	if err := e.s.DeleteToken(ctx, ann.ID, annToks[1].ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	_, err = e.s.FindUserByTokenHash(ctx, annToks[1].Hash)
	wantErr(t, "FindUserByTokenHash of a revoked token", err, folio.ErrNotFound)
	err = e.s.DeleteToken(ctx, ann.ID, annToks[1].ID)
	wantErr(t, "DeleteToken twice", err, folio.ErrNotFound)
	err = e.s.DeleteToken(ctx, ann.ID, bobTok.ID+1000)
	wantErr(t, "DeleteToken(unknown)", err, folio.ErrNotFound)
	check("after revocation", []*folio.Token{annToks[2], annToks[0]}, map[int64]time.Time{annToks[0].ID: used})
	if u, err := e.s.FindUserByTokenHash(ctx, bobTok.Hash); err != nil || u.ID != bob.ID {
		t.Errorf("bob's token: %v, %v", u, err)
	}
}

// mustCreateSession stores a session of userID that lasts SessionLifetime.
func mustCreateSession(t testing.TB, e *env, userID int64) *folio.Session {
	t.Helper()
	s := &folio.Session{
		Hash:      folio.HashSecret(folio.NewSecret()),
		UserID:    userID,
		ExpiresAt: e.clock.Now().Add(folio.SessionLifetime),
	}
	if err := e.s.CreateSession(t.Context(), s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if s.ID <= 0 {
		t.Fatalf("CreateSession set ID %d", s.ID)
	}
	return s
}

func testSessions(t *testing.T, e *env) {
	ctx := t.Context()
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	t0 := e.clock.Now()
	s1 := mustCreateSession(t, e, ann.ID)
	checkTime(t, "CreatedAt", s1.CreatedAt, stored(t0))
	got, u, err := e.s.FindSession(ctx, s1.Hash)
	if err != nil {
		t.Fatalf("FindSession: %v", err)
	}
	if got.ID != s1.ID || got.UserID != ann.ID {
		t.Errorf("FindSession = %+v, want session %d of user %d", *got, s1.ID, ann.ID)
	}
	checkTime(t, "found CreatedAt", got.CreatedAt, stored(t0))
	checkTime(t, "found ExpiresAt", got.ExpiresAt, stored(t0.Add(folio.SessionLifetime)))
	checkUser(t, "FindSession user", u, ann)

	for _, h := range []string{"", folio.HashSecret("unknown"), "%"} {
		_, _, err := e.s.FindSession(ctx, h)
		wantErr(t, fmt.Sprintf("FindSession(%q)", h), err, folio.ErrNotFound)
	}

	// DeleteSession ends one session; unknown hashes are no error.
	s2 := mustCreateSession(t, e, ann.ID)
	if err := e.s.DeleteSession(ctx, s1.Hash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, _, err = e.s.FindSession(ctx, s1.Hash)
	wantErr(t, "FindSession after DeleteSession", err, folio.ErrNotFound)
	if _, _, err := e.s.FindSession(ctx, s2.Hash); err != nil {
		t.Errorf("the other session: %v", err)
	}
	for _, h := range []string{s1.Hash, folio.HashSecret("unknown"), ""} {
		if err := e.s.DeleteSession(ctx, h); err != nil {
			t.Errorf("DeleteSession(%q) = %v, want nil", h, err)
		}
	}

	// DeleteUserSessions ends all of a user's sessions but one.
	s3 := mustCreateSession(t, e, ann.ID)
	s4 := mustCreateSession(t, e, ann.ID)
	sb := mustCreateSession(t, e, bob.ID)
	if err := e.s.DeleteUserSessions(ctx, ann.ID, s3.Hash); err != nil {
		t.Fatalf("DeleteUserSessions: %v", err)
	}
	alive := func(s *folio.Session) bool {
		_, _, err := e.s.FindSession(ctx, s.Hash)
		if err != nil && !errors.Is(err, folio.ErrNotFound) {
			t.Fatalf("FindSession: %v", err)
		}
		return err == nil
	}
	if alive(s2) || alive(s4) || !alive(s3) || !alive(sb) {
		t.Errorf("after DeleteUserSessions(ann, except s3): s2 %v, s3 %v, s4 %v, bob's %v; want false, true, false, true",
			alive(s2), alive(s3), alive(s4), alive(sb))
	}
	if err := e.s.DeleteUserSessions(ctx, ann.ID, ""); err != nil {
		t.Fatalf("DeleteUserSessions: %v", err)
	}
	if alive(s3) || !alive(sb) {
		t.Errorf("after DeleteUserSessions(ann, \"\"): s3 %v, bob's %v; want false, true", alive(s3), alive(sb))
	}
}

func testSessionExpiry(t *testing.T, e *env) {
	ctx := t.Context()
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Now()
	short := &folio.Session{Hash: folio.HashSecret(folio.NewSecret()), UserID: ann.ID, ExpiresAt: t0.Add(time.Hour)}
	if err := e.s.CreateSession(ctx, short); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	long := mustCreateSession(t, e, ann.ID)
	steps := []struct {
		at                    time.Duration
		shortAlive, longAlive bool
	}{
		{59 * time.Minute, true, true},
		{time.Hour + time.Second, false, true},
		{folio.SessionLifetime - time.Second, false, true},
		{folio.SessionLifetime + time.Second, false, false},
	}
	for _, st := range steps {
		e.clock.Set(t0.Add(st.at))
		for _, c := range []struct {
			name string
			s    *folio.Session
			want bool
		}{{"short", short, st.shortAlive}, {"long", long, st.longAlive}} {
			_, _, err := e.s.FindSession(ctx, c.s.Hash)
			switch {
			case c.want && err != nil:
				t.Errorf("at +%v: %s session: %v, want it alive", st.at, c.name, err)
			case !c.want && !errors.Is(err, folio.ErrNotFound):
				t.Errorf("at +%v: %s session: %v, want ErrNotFound", st.at, c.name, err)
			}
		}
	}
}

func testLoginFailures(t *testing.T, e *env) {
	ctx := t.Context()
	const window = 15 * time.Minute
	since := func() time.Time { return e.clock.Now().Add(-window) }
	failures := func(key string) int {
		t.Helper()
		n, err := e.s.LoginFailures(ctx, key, since())
		if err != nil {
			t.Fatalf("LoginFailures(%q): %v", key, err)
		}
		return n
	}
	add := func(key string) int {
		t.Helper()
		n, err := e.s.AddLoginFailure(ctx, key, since())
		if err != nil {
			t.Fatalf("AddLoginFailure(%q): %v", key, err)
		}
		return n
	}
	if n := failures("ip:192.0.2.1"); n != 0 {
		t.Errorf("LoginFailures before any = %d", n)
	}
	for want := 1; want <= 3; want++ {
		e.clock.Advance(time.Minute)
		if n := add("ip:192.0.2.1"); n != want {
			t.Errorf("AddLoginFailure = %d, want %d", n, want)
		}
	}
	if n := failures("ip:192.0.2.1"); n != 3 {
		t.Errorf("LoginFailures = %d, want 3", n)
	}
	if n := failures("email:ann@example.com"); n != 0 {
		t.Errorf("another key's LoginFailures = %d, want 0", n)
	}
	if n := add("email:ann@example.com"); n != 1 {
		t.Errorf("another key's AddLoginFailure = %d, want 1", n)
	}

	// Once the window has passed, the count starts again.
	e.clock.Advance(window + time.Minute)
	if n := failures("ip:192.0.2.1"); n != 0 {
		t.Errorf("LoginFailures after the window = %d, want 0", n)
	}
	if n := add("ip:192.0.2.1"); n != 1 {
		t.Errorf("AddLoginFailure after the window = %d, want 1", n)
	}
	if n := add("ip:192.0.2.1"); n != 2 {
		t.Errorf("AddLoginFailure = %d, want 2", n)
	}

	if err := e.s.ClearLoginFailures(ctx, "ip:192.0.2.1"); err != nil {
		t.Fatalf("ClearLoginFailures: %v", err)
	}
	if n := failures("ip:192.0.2.1"); n != 0 {
		t.Errorf("LoginFailures after clearing = %d, want 0", n)
	}
	if err := e.s.ClearLoginFailures(ctx, "never-seen"); err != nil {
		t.Errorf("ClearLoginFailures(unknown) = %v, want nil", err)
	}
	if n := add("ip:192.0.2.1"); n != 1 {
		t.Errorf("AddLoginFailure after clearing = %d, want 1", n)
	}
	if n := failures("email:ann@example.com"); n != 0 {
		t.Errorf("the other key after the window = %d, want 0", n)
	}
}

func testLoginFailuresConcurrent(t *testing.T, e *env) {
	const n = 12
	counts := make([]int, n)
	errs := runConcurrently(n, func(i int) error {
		c, err := e.s.AddLoginFailure(t.Context(), "ip:198.51.100.7", e.clock.Now().Add(-time.Hour))
		counts[i] = c
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("AddLoginFailure %d: %v", i, err)
		}
	}
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("concurrent AddLoginFailure returned %v, want 1 to %d once each", counts, n)
		}
	}
	if got, err := e.s.LoginFailures(t.Context(), "ip:198.51.100.7", e.clock.Now().Add(-time.Hour)); err != nil || got != n {
		t.Errorf("LoginFailures = %d, %v; want %d", got, err, n)
	}
}

func testInvites(t *testing.T, e *env) {
	ctx := t.Context()
	u := mustCreateUser(t, e, folio.User{Name: "Invited Writer"})
	other := mustCreateUser(t, e, folio.User{Name: "Other Writer"})
	t0 := e.clock.Now()
	newInvite := func(userID int64, ttl time.Duration) *folio.Invite {
		t.Helper()
		inv := &folio.Invite{Hash: folio.HashSecret(folio.NewSecret()), UserID: userID, ExpiresAt: e.clock.Now().Add(ttl)}
		if err := e.s.CreateInvite(ctx, inv); err != nil {
			t.Fatalf("CreateInvite: %v", err)
		}
		if inv.ID <= 0 {
			t.Fatalf("CreateInvite set ID %d", inv.ID)
		}
		return inv
	}
	first := newInvite(u.ID, 72*time.Hour)
	got, gotUser, err := e.s.FindInvite(ctx, first.Hash)
	if err != nil {
		t.Fatalf("FindInvite: %v", err)
	}
	if got.ID != first.ID || got.UserID != u.ID {
		t.Errorf("FindInvite = %+v, want invite %d of user %d", *got, first.ID, u.ID)
	}
	checkTime(t, "invite CreatedAt", got.CreatedAt, stored(t0))
	checkTime(t, "invite ExpiresAt", got.ExpiresAt, stored(t0.Add(72*time.Hour)))
	checkUser(t, "FindInvite user", gotUser, u)

	// A new invite replaces the user's earlier one, not other users'.
	otherInv := newInvite(other.ID, 72*time.Hour)
	second := newInvite(u.ID, 72*time.Hour)
	_, _, err = e.s.FindInvite(ctx, first.Hash)
	wantErr(t, "FindInvite(replaced)", err, folio.ErrNotFound)
	_, err = e.s.AcceptInvite(ctx, first.Hash, fakeHash)
	wantErr(t, "AcceptInvite(replaced)", err, folio.ErrNotFound)
	if _, _, err := e.s.FindInvite(ctx, otherInv.Hash); err != nil {
		t.Errorf("another user's invite: %v", err)
	}
	for _, h := range []string{"", "%", folio.HashSecret("unknown")} {
		_, _, err := e.s.FindInvite(ctx, h)
		wantErr(t, fmt.Sprintf("FindInvite(%q)", h), err, folio.ErrNotFound)
		_, err = e.s.AcceptInvite(ctx, h, fakeHash)
		wantErr(t, fmt.Sprintf("AcceptInvite(%q)", h), err, folio.ErrNotFound)
	}

	e.clock.Advance(time.Hour)
	accepted, err := e.s.AcceptInvite(ctx, second.Hash, fakeHash)
	if err != nil {
		t.Fatalf("AcceptInvite: %v", err)
	}
	if accepted.ID != u.ID || accepted.PasswordHash != fakeHash {
		t.Errorf("AcceptInvite = %+v, want user %d with the new hash", accepted, u.ID)
	}
	saved, err := e.s.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("FindUserByID: %v", err)
	}
	if saved.PasswordHash != fakeHash {
		t.Errorf("stored password hash = %q, want %q", saved.PasswordHash, fakeHash)
	}
	if n, err := e.s.CountUsers(ctx, true); err != nil || n != 1 {
		t.Errorf("CountUsers(with password) = %d, %v; want 1", n, err)
	}
	_, err = e.s.AcceptInvite(ctx, second.Hash, "$argon2id$other")
	wantErr(t, "AcceptInvite twice", err, folio.ErrNotFound)
	_, _, err = e.s.FindInvite(ctx, second.Hash)
	wantErr(t, "FindInvite(used)", err, folio.ErrNotFound)
	if again, err := e.s.FindUserByID(ctx, u.ID); err != nil || again.PasswordHash != fakeHash {
		t.Errorf("after a second acceptance the hash is %q (%v), want %q", again.PasswordHash, err, fakeHash)
	}

	// An expired invite is refused and changes nothing.
	e.clock.Advance(73 * time.Hour)
	_, _, err = e.s.FindInvite(ctx, otherInv.Hash)
	wantErr(t, "FindInvite(expired)", err, folio.ErrNotFound)
	_, err = e.s.AcceptInvite(ctx, otherInv.Hash, fakeHash)
	wantErr(t, "AcceptInvite(expired)", err, folio.ErrNotFound)
	if o, err := e.s.FindUserByID(ctx, other.ID); err != nil || o.PasswordHash != "" {
		t.Errorf("after an expired acceptance the hash is %q (%v), want empty", o.PasswordHash, err)
	}
}

func testAcceptInviteOnce(t *testing.T, e *env) {
	u := mustCreateUser(t, e, folio.User{Name: "Invited Writer"})
	inv := &folio.Invite{Hash: folio.HashSecret(folio.NewSecret()), UserID: u.ID, ExpiresAt: e.clock.Now().Add(time.Hour)}
	if err := e.s.CreateInvite(t.Context(), inv); err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	const n = 8
	hashes := make([]string, n)
	errs := runConcurrently(n, func(i int) error {
		hashes[i] = fmt.Sprintf("%s-%d", fakeHash, i)
		_, err := e.s.AcceptInvite(t.Context(), inv.Hash, hashes[i])
		return err
	})
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Errorf("acceptances %d and %d both succeeded", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, folio.ErrNotFound):
			t.Errorf("acceptance %d: %v, want nil or ErrNotFound", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no acceptance succeeded")
	}
	if got, err := e.s.FindUserByID(t.Context(), u.ID); err != nil || got.PasswordHash != hashes[won] {
		t.Errorf("stored hash = %q (%v), want the winner's %q", got.PasswordHash, err, hashes[won])
	}
}
