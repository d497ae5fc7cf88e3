package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"folio"
)

// dummyHash is checked when no account matches, so a failed login costs
// the same time whether or not the address is known.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$ZHVtbXlzYWx0ZHVtbXlzYWx0$ZHVtbXlrZXlkdW1teWtleWR1bW15a2V5ZHVtbXlrZXk"

// errBusy is answered when hashing waited too long for a turn.
var errBusy = &httpError{status: http.StatusServiceUnavailable, code: "busy", message: "the server is busy; please try again in a moment"}

// hashTurn waits for a turn to run argon2id; release it when done.
func (s *Server) hashTurn(ctx context.Context) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case s.admin.hashing <- struct{}{}:
		return func() { <-s.admin.hashing }, nil
	case <-ctx.Done():
		return nil, errBusy
	}
}

// hashPassword runs folio.HashPassword in a hashing turn.
func (s *Server) hashPassword(ctx context.Context, password string) (string, error) {
	if err := checkStrength(password, ""); err != nil {
		return "", err
	}
	release, err := s.hashTurn(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return folio.HashPassword(password)
}

// commonPasswords are refused outright; a real breach list is a later issue.
var commonPasswords = map[string]bool{
	"password12": true, "password123": true, "1234567890": true, "qwertyuiop": true, "12345678910": true,
	"iloveyou12": true, "letmein123": true, "administrator": true, "passw0rd123": true, "0123456789": true,
}

// checkStrength is the "strength checked" of the setup and password forms:
// long enough, not a well-known password, not the e-mail address, not one
// repeated character.
func checkStrength(password, email string) error {
	local, _, _ := strings.Cut(email, "@")
	switch {
	case utf8.RuneCountInString(password) < folio.MinPasswordLen:
		return folio.Invalid("password", "must be at least %d characters", folio.MinPasswordLen)
	case len(password) > 1024:
		return folio.Invalid("password", "must be at most 1024 characters")
	case commonPasswords[strings.ToLower(password)]:
		return folio.Invalid("password", "is one of the most common passwords; choose another")
	case len(local) >= 4 && strings.Contains(strings.ToLower(password), strings.ToLower(local)):
		return folio.Invalid("password", "must not contain your e-mail address")
	case strings.Trim(password, string([]rune(password)[:1])) == "":
		return folio.Invalid("password", "must not be one character repeated")
	}
	return nil
}

// clientAddr is the reader's address: the realIP middleware has already
// replaced a trusted proxy's address with the one it forwarded.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginPage struct {
	adminBase
	Form *form
	Next string
}

// handleAdminHome is /admin: the dashboard, or the login form for a
// visitor without a session.
func (s *Server) handleAdminHome(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	u, _, err := s.sessionUser(r)
	if errors.Is(err, folio.ErrNotFound) {
		s.renderLogin(w, r, http.StatusOK, newForm(r.URL.Query()))
		return
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), userKey, u))
	if err := s.dashboard(w, r, u); err != nil {
		s.adminError(w, r, err)
	}
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *form) {
	b := s.base(r.Context(), r, nil, "Log in", "login")
	s.render(w, r, status, "admin_login.html", loginPage{adminBase: b, Form: f, Next: localPath(f.Get("next"))})
}

// handleAdminLogin checks a password at most once per request, after the
// throttles, and answers every failure alike.
func (s *Server) handleAdminLogin(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		s.adminError(w, r, err)
		return
	}
	ctx := r.Context()
	f := newForm(r.PostForm)
	email := folio.NormalizeEmail(f.Get("email"))
	password := f.Get("password")
	if email == "" {
		f.Errors["email"] = "Enter your e-mail address."
	}
	if password == "" {
		f.Errors["password"] = "Enter your password."
	}
	if f.Invalid() {
		s.renderLogin(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if len(email) > 254 || len(password) > 1024 || !utf8.ValidString(email) {
		f.Errors["form"] = "E-mail or password is incorrect."
		s.renderLogin(w, r, http.StatusUnauthorized, f)
		return
	}
	lim := s.admin.limits
	since := s.now().Add(-lim.Window)
	keys := []struct {
		key   string
		limit int
	}{{"account:" + email, lim.PerAccount}, {"address:" + clientAddr(r), lim.PerAddress}}
	// The account's attempt is counted before the password is checked, so
	// parallel guesses cannot all pass the limit while they wait for a
	// hashing turn; a success clears the count. The address counts failures.
	n, err := s.store.AddLoginFailure(ctx, keys[0].key, since)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if n > keys[0].limit {
		s.tooManyLogins(w, r, f)
		return
	}
	if n, err := s.store.LoginFailures(ctx, keys[1].key, since); err != nil {
		s.adminError(w, r, err)
		return
	} else if n >= keys[1].limit {
		s.tooManyLogins(w, r, f)
		return
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, folio.ErrNotFound) {
		s.adminError(w, r, err)
		return
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	release, err := s.hashTurn(ctx)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	ok := folio.CheckPassword(hash, password)
	release()
	if !ok || u == nil || u.PasswordHash == "" || u.Deactivated {
		n, err := s.store.AddLoginFailure(ctx, keys[1].key, since)
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		limited := n >= keys[1].limit
		if n, err := s.store.LoginFailures(ctx, keys[0].key, since); err == nil && n >= keys[0].limit {
			limited = true
		}
		s.logger.Info("login failed", "addr", clientAddr(r))
		if limited {
			s.tooManyLogins(w, r, f)
			return
		}
		f.Errors["form"] = "E-mail or password is incorrect."
		s.renderLogin(w, r, http.StatusUnauthorized, f)
		return
	}
	if err := s.store.ClearLoginFailures(ctx, keys[0].key); err != nil {
		s.adminError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.logger.Info("logged in", "user_id", u.ID)
	seeOther(w, r, localPath(f.Get("next")))
}

func (s *Server) tooManyLogins(w http.ResponseWriter, r *http.Request, f *form) {
	mins := int(s.admin.limits.Window.Round(time.Minute) / time.Minute)
	w.Header().Set("Retry-After", strconv.Itoa(int(s.admin.limits.Window.Seconds())))
	f.Errors["form"] = fmt.Sprintf("Too many failed logins. For your safety, logging in is paused; please try again in %d minutes.", max(mins, 1))
	s.renderLogin(w, r, http.StatusTooManyRequests, f)
}

// handleAdminLogout ends the session everywhere (it lives in the database).
func (s *Server) handleAdminLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && len(c.Value) <= 200 {
		if err := s.store.DeleteSession(r.Context(), folio.HashSecret(c.Value)); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.sessionCookie("", time.Time{}))
	seeOther(w, r, "/admin?done=loggedout")
}

type setupPage struct {
	adminBase
	Form  *form
	Token string
}

// setupValid reports whether token is the live setup token.
func (s *Server) setupValid(ctx context.Context, token string) (bool, error) {
	if token == "" || len(token) > 200 {
		return false, nil
	}
	v, err := s.store.Setting(ctx, folio.SetupTokenSetting)
	return err == nil && v != "" && v == folio.HashSecret(token), err
}

func (s *Server) setupUsed(w http.ResponseWriter, r *http.Request) {
	s.adminMessage(w, r, http.StatusOK, "This link has been used",
		"This setup link has been used (or is no longer valid), so it cannot create another account. Log in with the account it created.",
		&navLink{"/admin", "Go to the login page"})
}

// handleAdminSetup creates the first admin from the link `folio serve`
// printed. The token is consumed in the same transaction that creates the
// user, so one link makes one admin.
func (s *Server) handleAdminSetup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method == http.MethodPost {
		if err := parseForm(r); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	token := r.FormValue("token")
	ok, err := s.setupValid(ctx, token)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if !ok {
		s.setupUsed(w, r)
		return
	}
	f := newForm(r.PostForm)
	b := s.base(ctx, r, nil, "Set up your site", "setup")
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "admin_setup.html", setupPage{adminBase: b, Form: f, Token: token})
		return
	}
	u := &folio.User{Name: f.Get("name"), Email: f.Get("email"), Role: folio.RoleAdmin}
	if err := u.Validate(); err != nil {
		f.setErr(err, nil)
	}
	pw := f.Get("password")
	if err := checkStrength(pw, u.Email); err != nil {
		f.setErr(err, nil)
	} else if pw != f.Get("confirm") {
		f.Errors["confirm"] = "The two passwords differ."
	}
	if f.Invalid() {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_setup.html", setupPage{adminBase: b, Form: f, Token: token})
		return
	}
	if u.PasswordHash, err = s.hashPassword(ctx, pw); err != nil {
		s.adminError(w, r, err)
		return
	}
	err = s.store.CreateFirstAdmin(ctx, folio.HashSecret(token), u)
	if errors.Is(err, folio.ErrNotFound) {
		s.setupUsed(w, r)
		return
	}
	if f.setErr(err, nil) {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_setup.html", setupPage{adminBase: b, Form: f, Token: token})
		return
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.written(ctx)
	s.logger.Info("first admin created", "user_id", u.ID)
	if err := s.startSession(w, r, u); err != nil {
		s.adminError(w, r, err)
		return
	}
	seeOther(w, r, "/admin")
}

type invitePage struct {
	adminBase
	Form    *form
	Token   string
	Invitee *folio.User
}

// handleAdminInvite lets an invited user choose a password.
func (s *Server) handleAdminInvite(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method == http.MethodPost {
		if err := parseForm(r); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	token := r.FormValue("token")
	gone := func() {
		s.adminMessage(w, r, http.StatusOK, "This invitation is no longer valid",
			"The link has been used or has expired. Ask an administrator for a new one.", &navLink{"/admin", "Go to the login page"})
	}
	if token == "" || len(token) > 200 {
		gone()
		return
	}
	_, invitee, err := s.store.FindInvite(ctx, folio.HashSecret(token))
	if errors.Is(err, folio.ErrNotFound) {
		gone()
		return
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f := newForm(r.PostForm)
	b := s.base(ctx, r, nil, "Choose a password", "invite")
	page := invitePage{adminBase: b, Form: f, Token: token, Invitee: invitee}
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "admin_invite.html", page)
		return
	}
	pw := f.Get("password")
	if err := checkStrength(pw, invitee.Email); err != nil {
		f.setErr(err, nil)
	} else if pw != f.Get("confirm") {
		f.Errors["confirm"] = "The two passwords differ."
	}
	if f.Invalid() {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_invite.html", page)
		return
	}
	hash, err := s.hashPassword(ctx, pw)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	u, err := s.store.AcceptInvite(ctx, folio.HashSecret(token), hash)
	if errors.Is(err, folio.ErrNotFound) {
		gone()
		return
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.adminError(w, r, err)
		return
	}
	seeOther(w, r, "/admin")
}
