// Package demo fills an empty site with sample content written for the
// project: a three-part interview series, a handful of news and analysis
// articles (one in Russian), a draft and a scheduled article, and the
// authors who wrote them. `folio serve --demo` calls Seed, and scripts/bench
// benchmarks the long interview answer at LongSlug.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"folio"
)

// LongSlug is the slug of the interview's second part, a long-form answer of
// about 1,400 words with footnotes and typographic quotes. It is set
// explicitly so scripts/bench and tests can find the page that mirrors the
// article that started the project.
const LongSlug = "beyond-cargo-grid-and-waterway"

// UrduSlug is the slug of the demo's right-to-left article, in Urdu.
const UrduSlug = "دریا-پھر-سے-کام-آ-رہے-ہیں"

// SeriesSlug is the slug of the demo interview series.
const SeriesSlug = "rivers-and-the-grid"

// demoUser is an author to create; key links articles to it.
type demoUser struct {
	key  string
	user folio.User
}

// demoArticle is an article to create, with its authors given by user key so
// the content can be written before any ID exists.
type demoArticle struct {
	authors []string
	input   folio.ArticleInput
}

// Seed writes the demo content into s when the site has no articles at all,
// of any status, and reports whether it did. A site that already holds
// content is left alone, so running `folio serve --demo` again is harmless.
//
// Authors have no password: they appear in bylines but cannot log in. An
// author whose e-mail address is already taken (a seed that failed half-way)
// is reused rather than created again.
func Seed(ctx context.Context, s folio.Store) (bool, error) {
	_, total, err := s.FindArticles(ctx, folio.ArticleFilter{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("demo: count articles: %w", err)
	}
	if total > 0 {
		return false, nil
	}
	now := time.Now().UTC()

	ids := make(map[string]int64)
	for _, du := range users() {
		id, err := ensureUser(ctx, s, du.user)
		if err != nil {
			return false, err
		}
		ids[du.key] = id
	}
	for _, da := range articles(now) {
		in := da.input
		for _, key := range da.authors {
			id, ok := ids[key]
			if !ok {
				return false, fmt.Errorf("demo: article %q: unknown author %q", in.Title, key)
			}
			in.AuthorIDs = append(in.AuthorIDs, id)
		}
		if err := in.Validate(now); err != nil {
			return false, fmt.Errorf("demo: article %q: %w", in.Title, err)
		}
		if _, err := s.CreateArticle(ctx, in); err != nil {
			return false, fmt.Errorf("demo: create article %q: %w", in.Title, err)
		}
	}
	return true, nil
}

// ensureUser creates u, or finds the user who already has its address.
func ensureUser(ctx context.Context, s folio.Store, u folio.User) (int64, error) {
	if err := u.Validate(); err != nil {
		return 0, fmt.Errorf("demo: user %q: %w", u.Name, err)
	}
	err := s.CreateUser(ctx, &u)
	if errors.Is(err, folio.ErrConflict) {
		existing, ferr := s.FindUserByEmail(ctx, u.Email)
		if ferr != nil {
			return 0, fmt.Errorf("demo: find user %q: %w", u.Email, ferr)
		}
		return existing.ID, nil
	}
	if err != nil {
		return 0, fmt.Errorf("demo: create user %q: %w", u.Name, err)
	}
	return u.ID, nil
}

// ago returns the time d days and h hours before now.
func ago(now time.Time, days, hours int) *time.Time {
	t := now.Add(-time.Duration(days)*24*time.Hour - time.Duration(hours)*time.Hour)
	return &t
}
