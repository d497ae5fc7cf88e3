package folio

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Media is one uploaded file: its metadata. The bytes live in a BlobStore
// under Key, which is also its URL path ("/" + Key).
type Media struct {
	ID          int64
	Key         string // media/YYYY/MM/<sha-prefix>-<name>.<ext>
	Filename    string // as uploaded, for people; never used in paths
	ContentType string // sniffed from the bytes, never the client's word
	Size        int64
	SHA256      string // hex; the ETag
	Width       int    // pixels; 0 for a PDF
	Height      int
	Alt         string
	UploadedBy  int64 // user id; 0 when the user was removed
	CreatedAt   time.Time
}

// URL is where the site serves the file.
func (m *Media) URL() string { return "/" + m.Key }

// IsImage reports whether the file is shown inline (an image) rather than
// downloaded.
func (m *Media) IsImage() bool { return strings.HasPrefix(m.ContentType, "image/") }

// Markdown is what an editor pastes into an article to show the file: an
// image with its alt text, or a link to a document.
func (m *Media) Markdown() string {
	if m.IsImage() {
		return "![" + markdownText(m.Alt) + "](" + m.URL() + ")"
	}
	label := m.Filename
	if label == "" {
		label = path.Base(m.Key)
	}
	return "[" + markdownText(label) + "](" + m.URL() + ")"
}

// markdownText escapes what would end a link's text early.
func markdownText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "\n", " ", "\r", " ").Replace(s)
}

// MaxAltLen and MaxFilenameLen bound the text a file carries.
const (
	MaxAltLen      = 1000
	MaxFilenameLen = 255
)

// ValidateAlt normalises and checks alt text.
func ValidateAlt(alt string) (string, error) {
	if !utf8.ValidString(alt) {
		return "", Invalid("alt", "is not valid UTF-8")
	}
	alt = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, alt))
	if utf8.RuneCountInString(alt) > MaxAltLen {
		return "", Invalid("alt", "is longer than %d characters", MaxAltLen)
	}
	return alt, nil
}

// MediaFilter selects a page of media, newest first.
type MediaFilter struct {
	Limit  int // default 50
	Offset int
}

// MediaStore keeps media metadata; Store embeds it.
type MediaStore interface {
	// CreateMedia stores m (Key, Filename, ContentType, Size, SHA256 set)
	// and sets its ID and CreatedAt. Returns a *ConflictError for "key"
	// when the key is taken (the same bytes under the same name).
	CreateMedia(ctx context.Context, m *Media) error
	// FindMedia lists media newest first, and the total count.
	FindMedia(ctx context.Context, f MediaFilter) ([]*Media, int, error)
	// FindMediaByID returns ErrNotFound.
	FindMediaByID(ctx context.Context, id int64) (*Media, error)
	// FindMediaByKey returns ErrNotFound.
	FindMediaByKey(ctx context.Context, key string) (*Media, error)
	// UpdateMediaAlt sets a file's alt text (checked with ValidateAlt).
	// Returns ErrNotFound.
	UpdateMediaAlt(ctx context.Context, id int64, alt string) (*Media, error)
	// DeleteMedia removes the row; the caller removes the bytes after.
	// Returns ErrNotFound.
	DeleteMedia(ctx context.Context, id int64) error
}

// MediaExt is the file extension for each content type Folio accepts, by
// sniffed type. SVG and HTML are refused: a browser runs their scripts.
var MediaExt = map[string]string{
	"image/jpeg":      "jpg",
	"image/png":       "png",
	"image/gif":       "gif",
	"image/webp":      "webp",
	"application/pdf": "pdf",
}

// maxNameLen bounds the readable part of a media key.
const maxNameLen = 60

// CleanMediaName turns an uploaded file name into the readable part of a
// media key: its base name without extension, accents dropped, lowercase
// [a-z0-9-] words, at most 60 bytes; "file" when nothing is left. Any
// directory part (either slash), NUL or dot sequence is gone.
func CleanMediaName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		if s, ok := special[r]; ok {
			for _, c := range s {
				dash = writeSlugRune(&b, c, dash)
			}
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		dash = writeSlugRune(&b, unicode.ToLower(r), dash)
		if b.Len() >= maxNameLen {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxNameLen {
		s = strings.TrimRight(s[:maxNameLen], "-")
	}
	if s == "" {
		return "file"
	}
	return s
}

func writeSlugRune(b *strings.Builder, r rune, dash bool) bool {
	if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
		b.WriteRune(r)
		return false
	}
	if !dash && b.Len() > 0 {
		b.WriteByte('-')
	}
	return true
}

// MediaKey is where an upload's bytes go: the month of upload, then the
// first 12 hex digits of its SHA-256 and its cleaned name, with the
// extension of its sniffed type. The same bytes under the same name get the
// same key, so a URL never changes content and may be cached forever.
func MediaKey(now time.Time, sha256Hex, filename, contentType string) (string, error) {
	ext, ok := MediaExt[contentType]
	if !ok {
		return "", Invalid("file", "files of type %s are not accepted", contentType)
	}
	if len(sha256Hex) < 12 {
		return "", fmt.Errorf("media key: short hash %q", sha256Hex)
	}
	now = now.UTC()
	key := fmt.Sprintf("media/%04d/%02d/%s-%s.%s", now.Year(), int(now.Month()), strings.ToLower(sha256Hex[:12]), CleanMediaName(filename), ext)
	if err := CheckBlobKey(key); err != nil {
		return "", err
	}
	return key, nil
}
