package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig for uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/webp"

	"folio"
)

// MaxMediaBytes bounds one uploaded file; a bigger one is refused with 413.
const MaxMediaBytes = 10 << 20

// maxUploadBody is a whole upload request: the file and its form fields.
const maxUploadBody = MaxMediaBytes + 64<<10

// maxMediaPixels refuses images so large that a browser (or a future
// thumbnailer) would choke decoding them: 50 megapixels.
const maxMediaPixels = 50_000_000

// mediaRoutes registers the media routes (routes.go calls it): the public
// files, the JSON API and the admin page.
func (s *Server) mediaRoutes(mux *http.ServeMux) {
	// Two fixed segments at least, so the pattern does not overlap
	// /{slug}/{file}: media keys are media/YYYY/MM/name.
	mux.HandleFunc("GET /media/{dir}/{path...}", s.handleMediaFile)
	api := func(limit int64, h http.HandlerFunc) http.Handler { return limitBody(limit, s.authenticated(h)) }
	mux.Handle("POST /api/v1/media", api(maxUploadBody, s.handleAPIMediaUpload))
	mux.Handle("GET /api/v1/media", api(maxAPIBody, s.handleAPIMediaList))
	mux.Handle("GET /api/v1/media/{id}", api(maxAPIBody, s.handleAPIMediaShow))
	mux.Handle("PATCH /api/v1/media/{id}", api(maxAPIBody, s.handleAPIMediaUpdate))
	mux.Handle("DELETE /api/v1/media/{id}", api(maxAPIBody, s.handleAPIMediaDelete))
	mux.Handle("GET /admin/media", s.adminAuth(anyRole, s.handleAdminMedia))
	mux.Handle("POST /admin/media", s.adminAuth(anyRole, s.handleAdminMediaUpload))
	mux.Handle("POST /admin/media/{id}", s.adminAuth(anyRole, s.handleAdminMediaAlt))
	mux.Handle("POST /admin/media/{id}/delete", s.adminAuth(anyRole, s.handleAdminMediaDelete))
}

// adminBodyLimit is the admin's request size: an upload may be big.
func adminBodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && r.URL.Path == "/admin/media" {
		return maxUploadBody
	}
	return maxAPIBody
}

var errNoMedia = &httpError{status: http.StatusServiceUnavailable, code: "no_media", message: "this site keeps no media (no blob store configured)"}

// handleMediaFile serves an uploaded file from the blob store. Keys are
// content-addressed, so the response is cacheable forever; the type is
// the one sniffed at upload, never guessed again by the browser
// (nosniff), and anything but an image downloads instead of rendering.
func (s *Server) handleMediaFile(w http.ResponseWriter, r *http.Request) {
	key := "media/" + r.PathValue("dir") + "/" + r.PathValue("path")
	if s.blobs == nil || folio.CheckBlobKey(key) != nil {
		s.notFound(w, r)
		return
	}
	m, err := s.store.FindMediaByKey(r.Context(), key)
	if errors.Is(err, folio.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.errorPage(r, err).write(w, r)
		return
	}
	h := w.Header()
	etag := `"` + m.SHA256 + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	rc, info, err := s.blobs.Get(r.Context(), key)
	if errors.Is(err, folio.ErrNotFound) {
		s.logger.Warn("media bytes missing", "key", key)
		h.Del("Cache-Control")
		h.Del("ETag")
		s.notFound(w, r)
		return
	}
	if err != nil {
		h.Del("Cache-Control")
		h.Del("ETag")
		s.errorPage(r, err).write(w, r)
		return
	}
	defer rc.Close()
	h.Set("Content-Type", m.ContentType)
	if !m.IsImage() {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(m)}))
	}
	// A seekable blob (a local file, an S3 object) gets Range requests.
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", info.ModTime, rs)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.logger.Warn("media copy failed", "key", key, "err", err)
	}
}

// downloadName is the file name offered for a download: the uploaded one
// if it is plain, else the key's.
func downloadName(m *folio.Media) string {
	name := m.Filename
	for _, r := range name {
		if r > unicode.MaxASCII || r < ' ' || r == '"' || r == '\\' {
			return path.Base(m.Key)
		}
	}
	if name == "" {
		return path.Base(m.Key)
	}
	return name
}

// uploadError is a refused upload, shown as it is.
func uploadError(status int, code, field, msg string) error {
	return &httpError{status: status, code: code, message: msg, field: field}
}

var errTooLarge = uploadError(http.StatusRequestEntityTooLarge, "too_large", "file",
	fmt.Sprintf("the file is larger than %d MiB", MaxMediaBytes>>20))

// receivedFile is an upload spooled to a temporary file and checked.
type receivedFile struct {
	tmp      *os.File
	filename string
	alt      string
	size     int64
	sha256   string
}

func (f *receivedFile) close() {
	if f != nil && f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
}

// readUpload reads a multipart body: a "file" part (spooled to a temporary
// file, hashed, at most MaxMediaBytes) and an optional "alt" field.
func readUpload(r *http.Request) (*receivedFile, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("send the file as multipart/form-data in a field named file")
	}
	f := &receivedFile{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.close()
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errTooLarge
			}
			return nil, badRequest("the multipart body is malformed")
		}
		switch part.FormName() {
		case "file":
			if f.tmp != nil {
				f.close()
				return nil, uploadError(http.StatusBadRequest, "bad_request", "file", "send one file per upload")
			}
			if err := f.spool(part); err != nil {
				f.close()
				return nil, err
			}
		case "alt":
			b, err := io.ReadAll(io.LimitReader(part, 4*folio.MaxAltLen+1))
			if err != nil {
				f.close()
				return nil, badRequest("the multipart body is malformed")
			}
			f.alt = string(b)
		}
		part.Close()
	}
	if f.tmp == nil {
		return nil, uploadError(http.StatusUnprocessableEntity, "invalid", "file", "choose a file to upload")
	}
	return f, nil
}

func (f *receivedFile) spool(part io.Reader) error {
	tmp, err := os.CreateTemp("", "folio-upload-*")
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	f.tmp = tmp
	if p, ok := part.(interface{ FileName() string }); ok {
		f.filename = cleanFilename(p.FileName())
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(part, MaxMediaBytes+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return badRequest("the upload was cut short")
	}
	if n > MaxMediaBytes {
		return errTooLarge
	}
	f.size, f.sha256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// cleanFilename keeps an uploaded name for people to read: its base name,
// valid UTF-8 without control characters, at most MaxFilenameLen runes.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > folio.MaxFilenameLen {
		name = string([]rune(name)[:folio.MaxFilenameLen])
	}
	return name
}

// describe sniffs the spooled bytes: the type from the content (never the
// client's word), and an image's dimensions from its header.
func (f *receivedFile) describe() (contentType string, width, height int, err error) {
	head := make([]byte, 512)
	n, _ := f.tmp.ReadAt(head, 0)
	contentType = http.DetectContentType(head[:n])
	if _, ok := folio.MediaExt[contentType]; !ok {
		return "", 0, 0, uploadError(http.StatusUnsupportedMediaType, "unsupported_type", "file",
			"only JPEG, PNG, GIF and WebP images and PDF documents are accepted (SVG and HTML are not, for safety)")
	}
	if strings.HasPrefix(contentType, "image/") {
		cfg, _, err := image.DecodeConfig(io.NewSectionReader(f.tmp, 0, f.size))
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
			return "", 0, 0, uploadError(http.StatusUnprocessableEntity, "invalid", "file", "the file is not a readable "+strings.TrimPrefix(contentType, "image/")+" image")
		}
		if int64(cfg.Width)*int64(cfg.Height) > maxMediaPixels {
			return "", 0, 0, uploadError(http.StatusUnprocessableEntity, "invalid", "file", "the image is larger than 50 megapixels")
		}
		width, height = cfg.Width, cfg.Height
	}
	return contentType, width, height, nil
}

// saveUpload reads, checks and stores one upload by u: bytes first, then
// the row, and the bytes are removed again if the row cannot be written,
// so neither is left without the other. The same bytes under the same
// name are one file: a second upload returns the first (created false).
func (s *Server) saveUpload(r *http.Request, u *folio.User) (m *folio.Media, created bool, err error) {
	if s.blobs == nil {
		return nil, false, errNoMedia
	}
	f, err := readUpload(r)
	if err != nil {
		return nil, false, err
	}
	defer f.close()
	ct, width, height, err := f.describe()
	if err != nil {
		return nil, false, err
	}
	alt, err := folio.ValidateAlt(f.alt)
	if err != nil {
		return nil, false, err
	}
	key, err := folio.MediaKey(s.now(), f.sha256, f.filename, ct)
	if err != nil {
		return nil, false, err
	}
	ctx := r.Context()
	if old, err := s.store.FindMediaByKey(ctx, key); err == nil {
		return old, false, nil
	} else if !errors.Is(err, folio.ErrNotFound) {
		return nil, false, err
	}
	if _, err := s.blobs.Put(ctx, key, io.NewSectionReader(f.tmp, 0, f.size), ct); err != nil {
		return nil, false, fmt.Errorf("store upload: %w", err)
	}
	m = &folio.Media{Key: key, Filename: f.filename, ContentType: ct, Size: f.size, SHA256: f.sha256,
		Width: width, Height: height, Alt: alt, UploadedBy: u.ID}
	if err := s.store.CreateMedia(ctx, m); err != nil {
		var ce *folio.ConflictError
		if errors.As(err, &ce) {
			// The same file, uploaded at the same moment: its bytes are
			// these bytes, so keep them and return that upload.
			if old, ferr := s.store.FindMediaByKey(ctx, key); ferr == nil {
				return old, false, nil
			}
		}
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.logger.Error("media cleanup failed", "key", key, "err", derr)
		}
		return nil, false, err
	}
	s.logger.Info("media uploaded", "media_id", m.ID, "key", key, "user_id", u.ID, "size", m.Size)
	return m, true, nil
}

// canManageMedia: editors and admins manage every file, authors their own.
func canManageMedia(u *folio.User, m *folio.Media) bool {
	return u.Role.CanEditOthers() || m.UploadedBy == u.ID
}

// deleteMedia removes the row first, then the bytes: a failure in between
// leaves unreferenced bytes (harmless), never a row without them.
func (s *Server) deleteMedia(ctx context.Context, u *folio.User, id int64) (*folio.Media, error) {
	m, err := s.store.FindMediaByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canManageMedia(u, m) {
		return nil, folio.ErrForbidden
	}
	if err := s.store.DeleteMedia(ctx, id); err != nil {
		return nil, err
	}
	if s.blobs != nil {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), m.Key); err != nil {
			s.logger.Error("media bytes not deleted", "key", m.Key, "err", err)
		}
	}
	s.logger.Info("media deleted", "media_id", id, "key", m.Key, "user_id", u.ID)
	return m, nil
}

// mediaJSON is a file in the API.
type mediaJSON struct {
	ID          int64     `json:"id"`
	Key         string    `json:"key"`
	URL         string    `json:"url"`
	Markdown    string    `json:"markdown"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	Alt         string    `json:"alt"`
	UploadedBy  int64     `json:"uploaded_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Server) mediaJSON(m *folio.Media) mediaJSON {
	return mediaJSON{ID: m.ID, Key: m.Key, URL: s.baseURL + m.URL(), Markdown: m.Markdown(), Filename: m.Filename,
		ContentType: m.ContentType, Size: m.Size, SHA256: m.SHA256, Width: m.Width, Height: m.Height,
		Alt: m.Alt, UploadedBy: m.UploadedBy, CreatedAt: m.CreatedAt}
}

func (s *Server) handleAPIMediaUpload(w http.ResponseWriter, r *http.Request) {
	m, created, err := s.saveUpload(r, currentUser(r))
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/media/"+strconv.FormatInt(m.ID, 10))
	}
	writeJSON(w, status, s.mediaJSON(m))
}

func (s *Server) handleAPIMediaList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := folio.MediaFilter{Limit: 50}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 200)) {
				s.writeJSONError(w, r, uploadError(http.StatusBadRequest, "bad_request", name, name+" must be a number (limit 1 to 200)"))
				return
			}
			*dst = n
		}
	}
	list, total, err := s.store.FindMedia(r.Context(), f)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := struct {
		Media []mediaJSON `json:"media"`
		Total int         `json:"total"`
	}{Media: []mediaJSON{}, Total: total}
	for _, m := range list {
		out.Media = append(out.Media, s.mediaJSON(m))
	}
	writeJSON(w, http.StatusOK, out)
}

func mediaID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, folio.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleAPIMediaShow(w http.ResponseWriter, r *http.Request) {
	id, err := mediaID(r)
	if err == nil {
		var m *folio.Media
		if m, err = s.store.FindMediaByID(r.Context(), id); err == nil {
			writeJSON(w, http.StatusOK, s.mediaJSON(m))
			return
		}
	}
	s.writeJSONError(w, r, err)
}

func (s *Server) handleAPIMediaUpdate(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		id, err := mediaID(r)
		if err != nil {
			return err
		}
		m, err := s.store.FindMediaByID(r.Context(), id)
		if err != nil {
			return err
		}
		if !canManageMedia(currentUser(r), m) {
			return folio.ErrForbidden
		}
		var alt string
		if err := decodeRequired(r, "alt", &alt, "alt must be a string"); err != nil {
			return err
		}
		if m, err = s.store.UpdateMediaAlt(r.Context(), id, alt); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.mediaJSON(m))
		return nil
	}()
	if err != nil {
		s.writeJSONError(w, r, err)
	}
}

func (s *Server) handleAPIMediaDelete(w http.ResponseWriter, r *http.Request) {
	id, err := mediaID(r)
	if err == nil {
		_, err = s.deleteMedia(r.Context(), currentUser(r), id)
	}
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// The admin page.

type mediaPage struct {
	adminBase
	Files   []mediaRow
	Total   int
	Page    int
	Prev    string
	Next    string
	Error   string
	Enabled bool
	Accept  string
	MaxMiB  int
}

type mediaRow struct {
	*folio.Media
	Created   string
	Size      string
	CanManage bool
}

const mediaPerPage = 30

func (s *Server) mediaPage(w http.ResponseWriter, r *http.Request, u *folio.User, status int, notice, errMsg string) error {
	ctx := r.Context()
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	list, total, err := s.store.FindMedia(ctx, folio.MediaFilter{Limit: mediaPerPage, Offset: (pageNo - 1) * mediaPerPage})
	if err != nil {
		return err
	}
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	p := mediaPage{adminBase: s.base(ctx, r, u, "Media", "media"), Total: total, Page: pageNo, Error: errMsg,
		Enabled: s.blobs != nil, Accept: "image/jpeg,image/png,image/gif,image/webp,application/pdf", MaxMiB: MaxMediaBytes >> 20}
	if notice != "" {
		p.Notice = notice
	}
	if pageNo > 1 {
		p.Prev = "/admin/media?page=" + strconv.Itoa(pageNo-1)
	}
	if pageNo*mediaPerPage < total {
		p.Next = "/admin/media?page=" + strconv.Itoa(pageNo+1)
	}
	for _, m := range list {
		p.Files = append(p.Files, mediaRow{Media: m, Created: m.CreatedAt.In(si.Loc).Format("2 Jan 2006 15:04"),
			Size: humanSize(m.Size), CanManage: canManageMedia(u, m)})
	}
	s.render(w, r, status, "admin_media.html", p)
	return nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

var mediaNotices = map[string]string{
	"uploaded": "File uploaded.",
	"existing": "That file was uploaded already; here it is.",
	"alt":      "Alt text saved.",
	"deleted":  "File deleted.",
}

func (s *Server) handleAdminMedia(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.mediaPage(w, r, u, http.StatusOK, mediaNotices[r.URL.Query().Get("done")], "")
}

// handleAdminMediaUpload stores the file and shows the list; a script
// (the editor's Insert image) asking for JSON gets the file as the API
// gives it.
func (s *Server) handleAdminMediaUpload(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	m, created, err := s.saveUpload(r, u)
	wantsJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if err != nil {
		status, body := errorStatus(err)
		if status >= 500 {
			return err
		}
		if wantsJSON {
			s.writeJSONError(w, r, err)
			return nil
		}
		return s.mediaPage(w, r, u, status, "", upperFirst(body.Message)+".")
	}
	if wantsJSON {
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, status, s.mediaJSON(m))
		return nil
	}
	done := "existing"
	if created {
		done = "uploaded"
	}
	seeOther(w, r, "/admin/media?done="+done+"#media-"+strconv.FormatInt(m.ID, 10))
	return nil
}

func (s *Server) handleAdminMediaAlt(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	m, err := s.store.FindMediaByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !canManageMedia(u, m) {
		return folio.ErrForbidden
	}
	if _, err := s.store.UpdateMediaAlt(r.Context(), id, f.Get("alt")); err != nil {
		var ve *folio.ValidationError
		if errors.As(err, &ve) {
			return s.mediaPage(w, r, u, http.StatusUnprocessableEntity, "", "Alt text "+ve.Message+".")
		}
		return err
	}
	seeOther(w, r, "/admin/media?done=alt#media-"+strconv.FormatInt(id, 10))
	return nil
}

func (s *Server) handleAdminMediaDelete(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	id, err := mediaID(r)
	if err != nil {
		return err
	}
	if _, err := postedForm(r); err != nil {
		return err
	}
	if _, err := s.deleteMedia(r.Context(), u, id); err != nil {
		return err
	}
	seeOther(w, r, "/admin/media?done=deleted")
	return nil
}
