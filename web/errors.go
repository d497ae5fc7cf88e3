package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"folio"
)

// apiError is the body of every JSON error: {"error": {code, message, field}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// errorStatus maps an error to its HTTP status and a message safe to show.
// It is the one place where domain errors meet HTTP (STYLE.md, Errors).
func errorStatus(err error) (int, apiError) {
	var ve *folio.ValidationError
	var ce *folio.ConflictError
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status, apiError{Code: he.code, Message: he.message, Field: he.field}
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, apiError{Code: "invalid", Message: ve.Error(), Field: ve.Field}
	case errors.As(err, &ce):
		return http.StatusConflict, apiError{Code: "conflict", Message: ce.Message, Field: ce.Field}
	case errors.Is(err, folio.ErrConflict):
		return http.StatusConflict, apiError{Code: "conflict", Message: "already exists"}
	case errors.Is(err, folio.ErrNotFound):
		return http.StatusNotFound, apiError{Code: "not_found", Message: "not found"}
	case errors.Is(err, folio.ErrGone):
		return http.StatusGone, apiError{Code: "gone", Message: "deleted"}
	case errors.Is(err, folio.ErrUnauthorized):
		return http.StatusUnauthorized, apiError{Code: "unauthorized", Message: "a valid API token is required"}
	case errors.Is(err, folio.ErrForbidden):
		return http.StatusForbidden, apiError{Code: "forbidden", Message: "your role does not allow this"}
	}
	return http.StatusInternalServerError, apiError{Code: "internal", Message: "internal server error"}
}

// httpError is a request error that carries its own status, for problems
// found by the web layer itself (malformed JSON, a body too large).
type httpError struct {
	status  int
	code    string
	message string
	field   string
}

func (e *httpError) Error() string { return e.message }

func badRequest(msg string) error {
	return &httpError{status: http.StatusBadRequest, code: "bad_request", message: msg}
}

// writeJSONError sends err as a JSON error, logging server faults only.
func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorStatus(err)
	if status >= 500 {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="folio"`)
	}
	writeJSON(w, status, struct {
		Error apiError `json:"error"`
	}{body})
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// errorPage renders the HTML page for a public request that failed.
func (s *Server) errorPage(r *http.Request, err error) *page {
	status, body := errorStatus(err)
	if status >= 500 {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return s.statusPage(r, status, body.Message)
}
