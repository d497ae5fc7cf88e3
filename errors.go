package folio

import (
	"errors"
	"fmt"
)

// Sentinel errors that every Store implementation returns, so the web layer
// can map them to HTTP statuses without knowing which engine is underneath.
var (
	// ErrNotFound means the requested row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique value (slug, email) is already taken.
	ErrConflict = errors.New("already exists")
	// ErrGone means the article was deleted forever; the web layer answers 410.
	ErrGone = errors.New("gone")
	// ErrUnauthorized means the caller is not authenticated.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden means the caller is authenticated but lacks the role.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidBlobKey means a BlobStore key is not a clean relative path.
	ErrInvalidBlobKey = errors.New("invalid blob key")
)

// ValidationError reports one invalid input field in words a user can act on.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ConflictError is an ErrConflict that names the field whose value is taken,
// so the API can answer 409 with {"field": "slug"}.
type ConflictError struct {
	Field   string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
