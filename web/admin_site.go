package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // "Time zone" must work on hosts without a zoneinfo database
	"unicode/utf8"

	"folio"
)

// ---- Pages ----

type pagesPage struct {
	adminBase
	Pages []*folio.Page
}

func (s *Server) handleAdminPages(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ps, err := s.store.FindPages(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_pages.html", pagesPage{adminBase: s.base(r.Context(), r, u, "Pages", "pages"), Pages: ps})
	return nil
}

type pageEditPage struct {
	adminBase
	Form   *form
	Page   *folio.Page
	Action string
}

func (s *Server) pageEditor(w http.ResponseWriter, r *http.Request, u *folio.User, status int, p *folio.Page, f *form) error {
	page := pageEditPage{adminBase: s.base(r.Context(), r, u, "New page", "pages"), Form: f, Page: p, Action: "/admin/pages"}
	if p != nil {
		page.PageTitle, page.Action = "Edit “"+p.Title+"”", fmt.Sprintf("/admin/pages/%d", p.ID)
	}
	s.render(w, r, status, "admin_page.html", page)
	return nil
}

func (s *Server) loadPage(r *http.Request) (*folio.Page, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, folio.ErrNotFound
	}
	return s.store.FindPageByID(r.Context(), id)
}

func (s *Server) handleAdminPageNew(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.pageEditor(w, r, u, http.StatusOK, nil, newForm(url.Values{}))
}

func (s *Server) handleAdminPageEdit(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	p, err := s.loadPage(r)
	if err != nil {
		return err
	}
	return s.pageEditor(w, r, u, http.StatusOK, p, newForm(url.Values{"title": {p.Title}, "slug": {p.Slug}, "body": {p.Body}}))
}

// handleAdminPageSave creates (no {id}) or updates a page.
func (s *Server) handleAdminPageSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	var cur *folio.Page
	if r.PathValue("id") != "" {
		var err error
		if cur, err = s.loadPage(r); err != nil {
			return err
		}
	}
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := &folio.Page{Title: f.Get("title"), Slug: f.Get("slug"), Body: f.Get("body")}
	if cur != nil {
		p.ID = cur.ID
	}
	err = p.Validate()
	if err == nil {
		if cur == nil {
			err = s.store.CreatePage(ctx, p)
		} else {
			err = s.store.UpdatePage(ctx, p)
		}
	}
	if f.setErr(err, nil) {
		return s.pageEditor(w, r, u, http.StatusUnprocessableEntity, cur, f)
	}
	if err != nil {
		return err
	}
	s.written(ctx)
	seeOther(w, r, fmt.Sprintf("/admin/pages/%d?done=saved", p.ID))
	return nil
}

func (s *Server) handleAdminPageDelete(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	p, err := s.loadPage(r)
	if err != nil {
		return err
	}
	if err := s.store.DeletePage(r.Context(), p.ID); err != nil {
		return err
	}
	s.written(r.Context())
	seeOther(w, r, "/admin/pages?done=deleted")
	return nil
}

type sitePage struct {
	meta
	Page *folio.Page
	Body template.HTML
}

// renderPage serves a page at /p/{slug}: no date, no byline, not in feeds.
func (s *Server) renderPage(r *http.Request) (*page, error) {
	ctx := r.Context()
	p, err := s.store.FindPageBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	body, err := s.md.Article(p.Body)
	if err != nil {
		return nil, fmt.Errorf("render page %d: %w", p.ID, err)
	}
	return s.html(http.StatusOK, "page.html", sitePage{meta: newMeta(si, p.Title, "", "/p/"+url.PathEscape(p.Slug)), Page: p, Body: body})
}

// ---- Menu ----

type menuPage struct {
	adminBase
	Form  *form
	Rows  []menuRow
	Pages []*folio.Page
}

type menuRow struct {
	N                   int
	Label, URL, Pos     string
	LabelErr, URLErr    string
	LabelName, URLName  string
	PosName, RowHeading string
}

func (s *Server) menuEditor(w http.ResponseWriter, r *http.Request, u *folio.User, status int, items []folio.MenuItem, f *form) error {
	ps, err := s.store.FindPages(r.Context())
	if err != nil {
		return err
	}
	page := menuPage{adminBase: s.base(r.Context(), r, u, "Menu", "menu"), Form: f, Pages: ps}
	for i := range len(items) + 3 {
		row := menuRow{N: i + 1, Pos: strconv.Itoa(i + 1), LabelName: fmt.Sprintf("label_%d", i), URLName: fmt.Sprintf("url_%d", i),
			PosName: fmt.Sprintf("pos_%d", i)}
		if i < len(items) {
			row.Label, row.URL = items[i].Label, items[i].URL
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, status, "admin_menu.html", page)
	return nil
}

func (s *Server) handleAdminMenu(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	items, err := s.store.Menu(r.Context())
	if err != nil {
		return err
	}
	return s.menuEditor(w, r, u, http.StatusOK, items, newForm(url.Values{}))
}

// handleAdminMenuSave reads rows label_i, url_i, pos_i; rows are ordered
// by their position numbers, so the menu can be reordered without
// JavaScript.
func (s *Server) handleAdminMenuSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	type row struct {
		item folio.MenuItem
		pos  int
	}
	var rows []row
	for i := range 100 {
		label, ok := r.PostForm[fmt.Sprintf("label_%d", i)]
		if !ok {
			break
		}
		pos, err := strconv.Atoi(strings.TrimSpace(f.Get(fmt.Sprintf("pos_%d", i))))
		if err != nil {
			pos = 1000 + i
		}
		rows = append(rows, row{folio.MenuItem{Label: label[0], URL: f.Get(fmt.Sprintf("url_%d", i))}, pos})
	}
	// A stable sort keeps rows with equal numbers in form order.
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].pos < rows[j-1].pos; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	items := make([]folio.MenuItem, len(rows))
	for i, rw := range rows {
		items[i] = rw.item
	}
	clean, err := folio.ValidateMenu(items)
	if err == nil {
		err = s.store.SetMenu(r.Context(), clean)
	}
	if f.setErr(err, nil) {
		return s.menuEditor(w, r, u, http.StatusUnprocessableEntity, items, f)
	}
	if err != nil {
		return err
	}
	s.written(r.Context())
	seeOther(w, r, "/admin/menu?done=menu")
	return nil
}

// ---- Users ----

type usersPage struct {
	adminBase
	Form       *form
	Users      []*folio.User
	Roles      []folio.Role
	InviteLink string
	InviteFor  string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, u *folio.User, status int, f *form, invite, inviteFor string) error {
	users, err := s.store.FindUsers(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "admin_users.html", usersPage{adminBase: s.base(r.Context(), r, u, "Users", "users"), Form: f,
		Users: users, Roles: []folio.Role{folio.RoleAuthor, folio.RoleEditor, folio.RoleAdmin}, InviteLink: invite, InviteFor: inviteFor})
	return nil
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.usersPage(w, r, u, http.StatusOK, newForm(url.Values{"role": {"author"}}), "", "")
}

// handleAdminUserAdd adds a user: with a password, ready to log in;
// without, invited through a one-time link shown once.
func (s *Server) handleAdminUserAdd(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	nu := &folio.User{Name: f.Get("name"), Email: f.Get("email"), Role: folio.Role(f.Get("role"))}
	if err := nu.Validate(); err != nil {
		f.setErr(err, nil)
	}
	pw := f.Get("password")
	if pw != "" {
		if err := checkStrength(pw, nu.Email); err != nil {
			f.setErr(err, nil)
		}
	}
	if f.Invalid() {
		return s.usersPage(w, r, u, http.StatusUnprocessableEntity, f, "", "")
	}
	if pw != "" {
		var err error
		if nu.PasswordHash, err = s.hashPassword(ctx, pw); err != nil {
			return err
		}
	}
	err = s.store.CreateUser(ctx, nu)
	if f.setErr(err, nil) {
		return s.usersPage(w, r, u, http.StatusUnprocessableEntity, f, "", "")
	}
	if err != nil {
		return err
	}
	s.written(ctx)
	s.logger.Info("user added", "user_id", nu.ID, "role", nu.Role, "by", u.ID)
	if pw != "" {
		seeOther(w, r, "/admin/users?done=user")
		return nil
	}
	link, err := s.invite(r, nu)
	if err != nil {
		return err
	}
	return s.usersPage(w, r, u, http.StatusOK, newForm(url.Values{"role": {"author"}}), link, nu.Name)
}

// invite makes a one-time link for nu to choose a password, valid a week.
func (s *Server) invite(r *http.Request, nu *folio.User) (string, error) {
	secret := folio.NewSecret()
	inv := &folio.Invite{Hash: folio.HashSecret(secret), UserID: nu.ID, ExpiresAt: s.now().Add(7 * 24 * time.Hour)}
	if err := s.store.CreateInvite(r.Context(), inv); err != nil {
		return "", err
	}
	si, err := s.site(r.Context())
	if err != nil {
		return "", err
	}
	return si.BaseURL + "/admin/invite?token=" + url.QueryEscape(secret), nil
}

// handleAdminUserUpdate changes a user's role, (de)activates them, or
// makes a new invitation link. An admin cannot demote or deactivate
// themselves, so a site always keeps an admin who can log in.
func (s *Server) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return folio.ErrNotFound
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	target, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	var upd folio.UserUpdate
	switch r.PostForm.Get("action") {
	case "role":
		role := folio.Role(r.PostForm.Get("role"))
		if !role.Valid() {
			return badRequest("role must be admin, editor or author")
		}
		upd.Role = &role
	case "deactivate":
		upd.Deactivated = new(true)
	case "activate":
		upd.Deactivated = new(false)
	case "invite":
		link, err := s.invite(r, target)
		if err != nil {
			return err
		}
		return s.usersPage(w, r, u, http.StatusOK, newForm(url.Values{"role": {"author"}}), link, target.Name)
	default:
		return badRequest("unknown action")
	}
	if target.ID == u.ID && (upd.Deactivated != nil || (upd.Role != nil && *upd.Role != folio.RoleAdmin)) {
		return &httpError{status: http.StatusConflict, code: "conflict", message: "you cannot demote or deactivate yourself; ask another admin"}
	}
	if _, err := s.store.UpdateUser(ctx, target.ID, upd); err != nil {
		return err
	}
	s.written(ctx)
	s.logger.Info("user updated", "user_id", target.ID, "by", u.ID)
	seeOther(w, r, "/admin/users?done=user")
	return nil
}

// ---- Settings ----

type settingsPage struct {
	adminBase
	Form *form
}

// settingBaseURL overrides the configured base URL in links and feeds.
const settingBaseURL = "base_url"

func (s *Server) handleAdminSettings(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	v := url.Values{}
	for _, k := range []string{settingTitle, settingDescription, settingLang, settingTimezone, settingBaseURL, settingAuthorsMayPublish} {
		val, err := s.store.Setting(ctx, k)
		if err != nil {
			return err
		}
		v.Set(k, val)
	}
	if v.Get(settingTitle) == "" {
		v.Set(settingTitle, "Folio")
	}
	if v.Get(settingLang) == "" {
		v.Set(settingLang, "en")
	}
	if v.Get(settingTimezone) == "" {
		v.Set(settingTimezone, "UTC")
	}
	if v.Get(settingBaseURL) == "" {
		v.Set(settingBaseURL, s.baseURL)
	}
	v.Set(settingAuthorsMayPublish, strconv.FormatBool(v.Get(settingAuthorsMayPublish) != "false"))
	s.render(w, r, http.StatusOK, "admin_settings.html", settingsPage{adminBase: s.base(ctx, r, u, "Settings", "settings"), Form: newForm(v)})
	return nil
}

func (s *Server) handleAdminSettingsSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	vals := map[string]string{}
	title := strings.TrimSpace(f.Get(settingTitle))
	switch {
	case title == "":
		f.Errors[settingTitle] = "Site title is required."
	case utf8.RuneCountInString(title) > 200 || !utf8.ValidString(title):
		f.Errors[settingTitle] = "Site title must be at most 200 characters."
	}
	vals[settingTitle] = title
	desc := strings.TrimSpace(f.Get(settingDescription))
	if utf8.RuneCountInString(desc) > 500 || !utf8.ValidString(desc) {
		f.Errors[settingDescription] = "Description must be at most 500 characters."
	}
	vals[settingDescription] = desc
	lang := strings.TrimSpace(f.Get(settingLang))
	probe := folio.ArticleUpdate{Lang: &lang}
	if err := probe.Validate(); err != nil || lang == "" {
		f.Errors[settingLang] = "Language must be a language tag such as en, ru or ur."
	} else {
		vals[settingLang] = *probe.Lang
	}
	tz := strings.TrimSpace(f.Get(settingTimezone))
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		f.Errors[settingTimezone] = "Time zone must be a name such as UTC, Europe/Berlin or Asia/Karachi."
	}
	vals[settingTimezone] = tz
	base := strings.TrimRight(strings.TrimSpace(f.Get(settingBaseURL)), "/")
	if pu, err := url.Parse(base); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" ||
		pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil {
		f.Errors[settingBaseURL] = "Base URL must be an address such as https://example.com."
	}
	if base == s.baseURL {
		base = "" // follow the configuration
	}
	vals[settingBaseURL] = base
	vals[settingAuthorsMayPublish] = strconv.FormatBool(f.Get(settingAuthorsMayPublish) == "true")
	if f.Invalid() {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_settings.html", settingsPage{adminBase: s.base(ctx, r, u, "Settings", "settings"), Form: f})
		return nil
	}
	for k, v := range vals {
		if err := s.store.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	s.written(ctx)
	s.logger.Info("settings saved", "by", u.ID)
	seeOther(w, r, "/admin/settings?done=saved")
	return nil
}

// ---- Profile ----

type profilePage struct {
	adminBase
	Form *form
	Pass *form
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request, u *folio.User, status int, f, pass *form) error {
	if f == nil {
		f = newForm(url.Values{"name": {u.Name}, "bio": {u.Bio}})
	}
	if pass == nil {
		pass = newForm(url.Values{})
	}
	s.render(w, r, status, "admin_profile.html", profilePage{adminBase: s.base(r.Context(), r, u, "Profile", "profile"), Form: f, Pass: pass})
	return nil
}

func (s *Server) handleAdminProfile(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.profile(w, r, u, http.StatusOK, nil, nil)
}

func (s *Server) handleAdminProfileSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	name, bio := f.Get("name"), strings.TrimSpace(f.Get("bio"))
	upd := folio.UserUpdate{Name: &name, Bio: &bio}
	err = upd.Validate()
	if err == nil {
		_, err = s.store.UpdateUser(r.Context(), u.ID, upd)
	}
	if f.setErr(err, nil) {
		return s.profile(w, r, u, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	s.written(r.Context())
	seeOther(w, r, "/admin/profile?done=saved")
	return nil
}

// handleAdminPassword changes the password after checking the current
// one, and logs out the user's other sessions. It is the one request that
// runs argon2id twice (check, then hash), both in one hashing turn.
func (s *Server) handleAdminPassword(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	pw := f.Get("new_password")
	if err := checkStrength(pw, u.Email); err != nil {
		f.Errors["new_password"] = upperFirst(strings.TrimPrefix(err.Error(), "password: "))
	} else if pw != f.Get("confirm_password") {
		f.Errors["confirm_password"] = "The two passwords differ."
	}
	if len(f.Get("current_password")) > 1024 {
		f.Errors["current_password"] = "Current password is incorrect."
	}
	if f.Invalid() {
		return s.profile(w, r, u, http.StatusUnprocessableEntity, nil, f)
	}
	release, err := s.hashTurn(ctx)
	if err != nil {
		return err
	}
	ok := folio.CheckPassword(u.PasswordHash, f.Get("current_password"))
	var hash string
	if ok {
		hash, err = folio.HashPassword(pw)
	}
	release()
	if !ok {
		f.Errors["current_password"] = "Current password is incorrect."
		return s.profile(w, r, u, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateUser(ctx, u.ID, folio.UserUpdate{PasswordHash: &hash}); err != nil {
		return err
	}
	_, sess, err := s.sessionUser(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUserSessions(ctx, u.ID, sess.Hash); err != nil {
		return err
	}
	seeOther(w, r, "/admin/profile?done=password")
	return nil
}

// ---- API tokens ----

type tokensPage struct {
	adminBase
	Form   *form
	Tokens []tokenRow
	Secret string // a token just created, shown this once
}

type tokenRow struct {
	*folio.Token
	Created, LastUsed string
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, u *folio.User, status int, f *form, secret string) error {
	ctx := r.Context()
	toks, err := s.store.FindTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	page := tokensPage{adminBase: s.base(ctx, r, u, "API tokens", "tokens"), Form: f, Secret: secret}
	for _, t := range toks {
		row := tokenRow{Token: t, Created: t.CreatedAt.In(si.Loc).Format("2 Jan 2006 15:04"), LastUsed: "never"}
		if t.LastUsedAt != nil {
			row.LastUsed = t.LastUsedAt.In(si.Loc).Format("2 Jan 2006 15:04")
		}
		page.Tokens = append(page.Tokens, row)
	}
	s.render(w, r, status, "admin_tokens.html", page)
	return nil
}

func (s *Server) handleAdminTokens(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.tokensPage(w, r, u, http.StatusOK, newForm(url.Values{}), "")
}

// handleAdminTokenCreate shows the new secret in the response itself
// (no-store, never in a URL): it is stored only as a hash.
func (s *Server) handleAdminTokenCreate(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(f.Get("name"))
	switch {
	case name == "":
		f.Errors["name"] = "Name the token after where it will be used, such as “laptop” or “CI”."
	case utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		f.Errors["name"] = "Name must be at most 100 characters."
	}
	if f.Invalid() {
		return s.tokensPage(w, r, u, http.StatusUnprocessableEntity, f, "")
	}
	secret := folio.NewSecret()
	if err := s.store.CreateToken(r.Context(), &folio.Token{UserID: u.ID, Name: name, Hash: folio.HashSecret(secret)}); err != nil {
		return err
	}
	s.logger.Info("api token created", "user_id", u.ID)
	return s.tokensPage(w, r, u, http.StatusOK, newForm(url.Values{}), secret)
}

func (s *Server) handleAdminTokenRevoke(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return folio.ErrNotFound
	}
	if err := s.store.DeleteToken(r.Context(), u.ID, id); err != nil {
		if errors.Is(err, folio.ErrNotFound) {
			return folio.ErrNotFound
		}
		return err
	}
	s.logger.Info("api token revoked", "user_id", u.ID, "token_id", id)
	seeOther(w, r, "/admin/tokens?done=revoked")
	return nil
}
