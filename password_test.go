package folio

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestHashPasswordLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		wantErr  bool
	}{
		{"empty", "", true},
		{"one short", strings.Repeat("p", MinPasswordLen-1), true},
		{"shortest", strings.Repeat("p", MinPasswordLen), false},
		{"longest", strings.Repeat("p", 1024), false},
		{"too long", strings.Repeat("p", 1025), true},
		// The limits are in characters, as the messages say, not bytes.
		{"one short, in Cyrillic", strings.Repeat("ж", MinPasswordLen-1), true},
		{"longest, in Cyrillic", strings.Repeat("ж", 1024), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hash, err := HashPassword(tt.password)
			if tt.wantErr {
				checkInvalid(t, err, "password")
				if hash != "" {
					t.Errorf("HashPassword returned hash %q with an error", hash)
				}
				return
			}
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			if !CheckPassword(hash, tt.password) {
				t.Errorf("CheckPassword(HashPassword(p), p) = false")
			}
		})
	}
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	const password = "correct horse battery staple"
	h1, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	h2, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	for _, h := range []string{h1, h2} {
		if !phc.MatchString(h) {
			t.Errorf("hash %q is not an argon2id PHC string with the chosen parameters", h)
		}
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal (%q): the salt is not random", h1)
	}
	if strings.Contains(h1, password) {
		t.Errorf("hash %q contains the password", h1)
	}

	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
	}{
		{"right", h1, password, true},
		{"right, second salt", h2, password, true},
		{"wrong", h1, "correct horse battery stapl", false},
		{"wrong case", h1, strings.ToUpper(password), false},
		{"empty password", h1, "", false},
		{"trailing space", h1, password + " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	t.Parallel()
	const (
		salt = "c2FsdHNhbHRzYWx0c2FsdA" // "saltsaltsaltsalt"
		key  = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	)
	phc := func(alg, params, salt, key string) string {
		return fmt.Sprintf("$%s$v=19$%s$%s$%s", alg, params, salt, key)
	}
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"plain text", "password123"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"too few parts", "$argon2id$v=19$m=65536,t=3,p=2$" + salt},
		{"too many parts", phc("argon2id", "m=65536,t=3,p=2", salt, key) + "$x"},
		{"argon2i", phc("argon2i", "m=65536,t=3,p=2", salt, key)},
		{"bad params", phc("argon2id", "m=a,t=b,p=c", salt, key)},
		{"zero parallelism", phc("argon2id", "m=64,t=1,p=0", salt, key)},
		{"zero passes", phc("argon2id", "m=64,t=0,p=1", salt, key)},
		{"memory too big", phc("argon2id", "m=4294967295,t=1,p=1", salt, key)},
		{"passes too many", phc("argon2id", "m=64,t=1000000,p=1", salt, key)},
		{"parallelism overflow", phc("argon2id", "m=64,t=1,p=256", salt, key)},
		{"negative", phc("argon2id", "m=-1,t=1,p=1", salt, key)},
		{"bad salt", phc("argon2id", "m=64,t=1,p=1", "!!!", key)},
		{"bad key", phc("argon2id", "m=64,t=1,p=1", salt, "***")},
		{"empty key", phc("argon2id", "m=64,t=1,p=1", salt, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got bool
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("CheckPassword(%q) panicked: %v", tt.hash, r)
					}
				}()
				got = CheckPassword(tt.hash, "password123")
			}()
			if got {
				t.Errorf("CheckPassword(%q) = true, want false", tt.hash)
			}
		})
	}
}

func TestHashSecret(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := HashSecret(tt.in); got != tt.want {
			t.Errorf("HashSecret(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^folio_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 100 {
		s := NewSecret()
		if !shape.MatchString(s) {
			t.Fatalf("NewSecret() = %q, want folio_ and 43 URL-safe base64 characters", s)
		}
		if seen[s] {
			t.Fatalf("NewSecret() returned %q twice", s)
		}
		seen[s] = true
		h := HashSecret(s)
		if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
			t.Fatalf("HashSecret(%q) = %q, want 64 hex digits", s, h)
		}
		if h == HashSecret(s+"x") {
			t.Fatalf("HashSecret ignores a trailing byte")
		}
	}
}
