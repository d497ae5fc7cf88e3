package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonFeedVersion identifies the JSON Feed format written here.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url,omitempty"`
	FeedURL     string     `json:"feed_url,omitempty"`
	Description string     `json:"description,omitempty"`
	Language    string     `json:"language,omitempty"`
	Items       []jsonItem `json:"items"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title,omitempty"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   *string      `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonPerson `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

type jsonPerson struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// JSON returns a JSON Feed 1.1 document for items. An item without HTML
// carries its summary as content_text, since the format requires one of
// the two.
func JSON(site Site, feedURL string, items []Item) ([]byte, error) {
	feed := jsonFeed{
		Version:     jsonFeedVersion,
		Title:       clean(site.Title),
		HomePageURL: clean(site.BaseURL),
		FeedURL:     clean(feedURL),
		Description: clean(site.Description),
		Language:    clean(site.Lang),
		Items:       make([]jsonItem, 0, len(items)),
	}
	for _, it := range items {
		ji := jsonItem{
			ID:            clean(it.URL),
			URL:           clean(it.URL),
			Title:         clean(it.Title),
			ContentHTML:   clean(it.ContentHTML),
			Summary:       clean(it.Summary),
			Image:         clean(it.Image),
			DatePublished: rfc3339(it.Published),
			DateModified:  rfc3339(it.Updated),
			Tags:          cleanAll(it.Tags),
		}
		if ji.ContentHTML == "" {
			text := ji.Summary
			ji.ContentText = &text
		}
		for _, a := range it.Authors {
			p := jsonPerson{Name: clean(a.Name), URL: clean(a.URL)}
			if p.Name != "" || p.URL != "" {
				ji.Authors = append(ji.Authors, p)
			}
		}
		feed.Items = append(feed.Items, ji)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, fmt.Errorf("encode json feed: %w", err)
	}
	return buf.Bytes(), nil
}
