package storetest

import (
	"errors"
	"testing"
	"time"

	"folio"
)

// testTranslations: articles join a translation group at creation or by an
// update, the group is found with ArticleFilter.TranslationGroup, and a
// missing or self-referencing original is a validation error.
func testTranslations(t *testing.T, e *env) {
	ctx := t.Context()
	u := newUser(t, e, "Translator")
	at := e.clock.Now().Add(-time.Hour)
	en := mustCreateArticle(t, e, published("Rivers and grids", at, u))
	if en.TranslationGroup != 0 {
		t.Fatalf("a lone article has group %d", en.TranslationGroup)
	}
	ruIn := published("Реки и сети", at, u)
	ruIn.Lang, ruIn.TranslationOf = "ru", en.ID
	ru := mustCreateArticle(t, e, ruIn)
	if ru.TranslationGroup != en.ID {
		t.Errorf("translation's group = %d, want the original's id %d", ru.TranslationGroup, en.ID)
	}
	if got, _ := e.s.FindArticleByID(ctx, en.ID); got.TranslationGroup != en.ID {
		t.Errorf("original's group = %d, want its own id", got.TranslationGroup)
	}
	// A translation of a translation joins the same group.
	ur := mustCreateArticle(t, e, published("دریا", at, u))
	if _, err := e.s.UpdateArticle(ctx, ur.ID, folio.ArticleUpdate{TranslationOf: &ru.ID}); err != nil {
		t.Fatal(err)
	}
	mustCreateArticle(t, e, published("Unrelated", at, u))
	group, _, err := e.s.FindArticles(ctx, folio.ArticleFilter{Public: true, TranslationGroup: en.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(group) != 3 {
		t.Errorf("group has %d articles, want 3", len(group))
	}
	// Leaving the group.
	if _, err := e.s.UpdateArticle(ctx, ur.ID, folio.ArticleUpdate{TranslationOf: ptr(int64(0))}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.s.FindArticleByID(ctx, ur.ID); got.TranslationGroup != 0 {
		t.Errorf("after leaving, group = %d", got.TranslationGroup)
	}
	for name, of := range map[string]int64{"unknown": 999999, "itself": ur.ID} {
		_, err := e.s.UpdateArticle(ctx, ur.ID, folio.ArticleUpdate{TranslationOf: &of})
		var ve *folio.ValidationError
		if !errors.As(err, &ve) || ve.Field != "translation_of" {
			t.Errorf("%s original: err = %v, want a validation error for translation_of", name, err)
		}
	}
}
