package markdown

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"
)

// Smart gives a plain string the typographic quotes, dashes and ellipses
// that the Markdown renderers give bodies and titles, for places that take
// text rather than HTML: <title>, og:title, feed titles. A title passed
// through Smart reads the same as the same title passed through
// Renderer.Inline.
//
// It follows goldmark's typographer rule for rule (including its special
// cases such as '90s and 'twas), treating s as one paragraph of text with
// no Markdown syntax.
func Smart(s string) string {
	if !strings.ContainsAny(s, `'"-.`) {
		return s
	}
	src := []byte(s)
	out := make([]byte, 0, len(src)+16)
	// Like a paragraph, the text ends at its last non-blank character:
	// "Smiths' " must read as "Smiths'" does.
	end := len(bytes.TrimRight(src, " \t\r\n"))
	var q quoteCounter
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\'' && c != '"' && c != '-' && c != '.' {
			out = append(out, c)
			i++
			continue
		}
		line := src[i:end]
		if eol := bytes.IndexByte(line, '\n'); eol >= 0 {
			line = line[:eol+1]
		}
		before := '\n'
		if i > 0 {
			before, _ = utf8.DecodeLastRune(src[:i])
		}
		sub, n := smartAt(line, before, &q)
		if n == 0 {
			out = append(out, c)
			i++
			continue
		}
		out = append(out, sub...)
		i += n
	}
	return string(out)
}

// quoteCounter counts quotes opened and not yet closed, as goldmark's
// typographer does per paragraph.
type quoteCounter struct {
	single, double int
}

// smartAt is goldmark's typographerParser.Parse for the character at the
// start of line, with before the character preceding it. It returns the
// replacement and how many bytes it replaces, or 0 to keep the character.
func smartAt(line []byte, before rune, q *quoteCounter) (string, int) {
	c := line[0]
	if len(line) > 2 {
		if c == '-' && line[1] == '-' && line[2] == '-' {
			return "—", 3
		}
		if c == '.' {
			if line[1] == '.' && line[2] == '.' {
				return "…", 3
			}
			return "", 0
		}
	}
	if len(line) > 1 && c == '-' && line[1] == '-' {
		return "–", 2
	}
	if c != '\'' && c != '"' {
		return "", 0
	}
	canOpen, canClose := flanking(line, before)
	if c == '\'' {
		// Decade abbreviations such as '90s.
		if canOpen && !canClose && len(line) > 3 &&
			util.IsNumeric(line[1]) && util.IsNumeric(line[2]) && line[3] == 's' {
			after := ' '
			if len(line) > 4 {
				after = util.ToRune(line, 4)
			}
			if util.IsSpaceRune(after) || util.IsPunctRune(after) {
				return "’", 1
			}
		}
		// 'twas, 'em, 'net.
		if len(line) > 1 && (unicode.IsPunct(before) || unicode.IsSpace(before)) &&
			(line[1] == 't' || line[1] == 'e' || line[1] == 'n' || line[1] == 'l') {
			return "’", 1
		}
		// An apostrophe between two letters or after a digit.
		if len(line) > 1 && (unicode.IsDigit(before) || unicode.IsLetter(before)) &&
			unicode.IsLetter(util.ToRune(line, 1)) {
			return "’", 1
		}
		if canOpen && !canClose {
			// 's, 'm, 't, 'd, 've, 'll, 're after a space are contractions.
			right := len(line) > 1 && (line[1] == 's' || line[1] == 'm' || line[1] == 't' || line[1] == 'd') &&
				(len(line) < 3 || util.IsPunct(line[2]) || util.IsSpace(line[2]))
			right = right || len(line) > 2 &&
				((line[1] == 'v' && line[2] == 'e') || (line[1] == 'l' && line[2] == 'l') || (line[1] == 'r' && line[2] == 'e')) &&
				(len(line) < 4 || util.IsPunct(line[3]) || util.IsSpace(line[3]))
			if right {
				return "’", 1
			}
			q.single++
			return "‘", 1
		}
		// Plural possessives and elisions: Smiths', doin'. goldmark's test
		// reduces to this, since the quote itself is punctuation.
		if len(line) > 2 && !unicode.IsDigit(util.ToRune(line, 1)) {
			return "’", 1
		}
		if q.single > 0 && closes(line, canOpen, canClose) {
			q.single--
			return "’", 1
		}
		return "", 0
	}
	if canOpen && !canClose {
		q.double++
		return "“", 1
	}
	if q.double > 0 && closes(line, canOpen, canClose) {
		// "Monitor 21"" keeps its inch mark.
		if len(line) > 1 && line[1] == '"' && unicode.IsDigit(before) {
			return "", 0
		}
		q.double--
		return "”", 1
	}
	return "", 0
}

// closes is the typographer's test for a quote that ends a quotation.
func closes(line []byte, canOpen, canClose bool) bool {
	if canClose && !canOpen {
		return true
	}
	return canClose && canOpen && len(line) > 1 && unicode.IsPunct(util.ToRune(line, 1)) &&
		(len(line) == 2 || (len(line) > 2 && util.IsPunct(line[2]) || util.IsSpace(line[2])))
}

// flanking is CommonMark's left- and right-flanking test for the run of
// quote characters at the start of line (goldmark's parser.ScanDelimiter).
func flanking(line []byte, before rune) (canOpen, canClose bool) {
	j := 1
	for j < len(line) && line[j] == line[0] {
		j++
	}
	after := ' '
	if j != len(line) {
		after = util.ToRune(line, j)
	}
	beforePunct, beforeSpace := util.IsPunctRune(before), util.IsSpaceRune(before)
	afterPunct, afterSpace := util.IsPunctRune(after), util.IsSpaceRune(after)
	canOpen = !afterSpace && (!afterPunct || beforeSpace || beforePunct)
	canClose = !beforeSpace && (!beforePunct || afterSpace || afterPunct)
	return canOpen, canClose
}
