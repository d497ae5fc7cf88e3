package folio

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: RFC 9106's second recommended option (64 MiB, 3 passes).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return "", Invalid("password", "must be at least %d characters", MinPasswordLen)
	}
	if n > 1024 {
		return "", Invalid("password", "must be at most 1024 characters")
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-encoded hash, in
// constant time. A malformed or empty hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var mem uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || mem > 256<<10 || t < 1 || t > 20 || p == 0 || mem < 8*uint32(p) {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NewSecret returns a random URL-safe secret with a recognisable prefix
// ("folio_"), so leaked tokens are easy to find with secret scanners.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "folio_" + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how tokens are stored: SHA-256, hex. Secrets are random and
// long, so a fast hash is enough (unlike passwords).
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
