package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"folio"
)

// maxTagSuggestions is how many tags the editor offers at once.
const maxTagSuggestions = 10

// tagSuggestInput is the editor's text, sent as JSON or as the editor's
// own urlencoded form.
type tagSuggestInput struct {
	Title    string `json:"title"`
	Question string `json:"question"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
	Tags     string `json:"tags"` // comma-separated, as in the editor
}

// handleAdminSuggestTags serves POST /admin/articles/suggest-tags:
// {suggestions: [{name, existing, count}]} for the text posted, which the
// editor's script offers as one-click additions.
func (s *Server) handleAdminSuggestTags(w http.ResponseWriter, r *http.Request, _ *folio.User) error {
	var in tagSuggestInput
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not valid JSON"})
			return nil
		}
	} else {
		if err := parseForm(r); err != nil {
			return err
		}
		in = tagSuggestInput{Title: r.PostForm.Get("title"), Question: r.PostForm.Get("question"),
			Summary: r.PostForm.Get("summary"), Body: r.PostForm.Get("body"), Tags: r.PostForm.Get("tags")}
	}
	sugg, err := s.suggestTags(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Suggestions []folio.TagSuggestion `json:"suggestions"`
	}{sugg})
	return nil
}

// suggestTags runs folio.SuggestTags against the site's tags.
func (s *Server) suggestTags(ctx context.Context, in tagSuggestInput) ([]folio.TagSuggestion, error) {
	tags, err := s.store.AllTags(ctx)
	if err != nil {
		return nil, err
	}
	text := strings.Join([]string{in.Title, in.Question, in.Summary, in.Body}, "\n\n")
	out := folio.SuggestTags(text, tags, strings.Split(in.Tags, ","), maxTagSuggestions)
	if out == nil {
		out = []folio.TagSuggestion{}
	}
	return out, nil
}

// articleTagSuggestions are the suggestions shown on the editor page of a
// saved article, so they are there without JavaScript too.
func (s *Server) articleTagSuggestions(ctx context.Context, a *folio.Article) ([]folio.TagSuggestion, error) {
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	return s.suggestTags(ctx, tagSuggestInput{Title: a.Title, Question: a.Question, Summary: a.Summary, Body: a.Body,
		Tags: strings.Join(names, ",")})
}
