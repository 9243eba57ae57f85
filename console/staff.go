package console

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"kjjr/internal/atomicfile"
)

// StaffFile is the path of the staff accounts below a repository's git
// directory: <gitdir>/kjjr/staff.
func StaffFile(gitDir string) string { return filepath.Join(gitDir, "kjjr", "staff") }

// Account is one staff member who may log in. The name and email become
// the author of the commits the staff member makes through the console.
type Account struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Hash  string `json:"hash"` // argon2id, PHC string format
}

// Argon2id parameters: OWASP's minimum (19 MiB, two passes, one lane).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
	// MinPassword is the shortest password accepted, in characters.
	MinPassword = 10
)

// HashPassword returns the argon2id hash of password in PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("console: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the argon2id hash.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m < 8*1024 || m > 64*1024 || t < 1 || t > 8 || p < 1 || p > 4 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	key, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || len(key) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is checked against when the account does not exist, so that an
// unknown name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("kjjr-console-no-such-account")
	return h
})

// Staff is the set of accounts in a staff file.
type Staff struct {
	path     string
	accounts []Account
}

// LoadStaff reads the staff file at path; a missing file is no accounts.
func LoadStaff(path string) (*Staff, error) {
	s := &Staff{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console: read staff: %w", err)
	}
	if err := json.Unmarshal(b, &s.accounts); err != nil {
		return nil, fmt.Errorf("console: %s is damaged (%v): restore it or remove it and add the accounts again", path, err)
	}
	return s, nil
}

// Accounts returns the accounts, sorted by name.
func (s *Staff) Accounts() []Account {
	out := append([]Account(nil), s.accounts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the account called name.
func (s *Staff) Lookup(name string) (Account, bool) {
	for _, a := range s.accounts {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}

// Verify returns the account when name and password match. Unknown names
// cost the same time as wrong passwords.
func (s *Staff) Verify(name, password string) (Account, bool) {
	a, ok := s.Lookup(name)
	if !ok {
		checkPassword(dummyHash(), password)
		return Account{}, false
	}
	if !checkPassword(a.Hash, password) {
		return Account{}, false
	}
	return a, true
}

// ValidName checks an account name: it becomes a git author name.
func ValidName(name string) error {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 40 || strings.TrimSpace(name) != name {
		return fmt.Errorf("账号名 %q 不可用：请用 1 至 40 个字符、首尾无空格", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune("<>\"'\\", r) {
			return fmt.Errorf("账号名 %q 不可用：不能含有控制字符或 < > \" ' \\", name)
		}
	}
	return nil
}

// ValidEmail checks the email an account's commits carry.
func ValidEmail(email string) error {
	at := strings.LastIndex(email, "@")
	if at < 1 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " <>\"\t\r\n,;") {
		return fmt.Errorf("邮箱 %q 格式不对：应写作 name@example.gov.cn", email)
	}
	return nil
}

// ValidPassword checks a new password.
func ValidPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPassword {
		return fmt.Errorf("密码太短：至少 %d 个字符", MinPassword)
	}
	if len(pw) > 1024 {
		return errors.New("密码太长：最多 1024 字节")
	}
	return nil
}

// Add adds an account and saves the file.
func (s *Staff) Add(name, email, password string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if err := ValidEmail(email); err != nil {
		return err
	}
	if err := ValidPassword(password); err != nil {
		return err
	}
	if _, ok := s.Lookup(name); ok {
		return fmt.Errorf("账号 %q 已存在：修改密码请用 kjjr console passwd %s", name, name)
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	s.accounts = append(s.accounts, Account{Name: name, Email: email, Hash: h})
	return s.save()
}

// Delete removes an account and saves the file.
func (s *Staff) Delete(name string) error {
	for i, a := range s.accounts {
		if a.Name == name {
			s.accounts = append(s.accounts[:i], s.accounts[i+1:]...)
			return s.save()
		}
	}
	return fmt.Errorf("没有账号 %q（kjjr console adduser 可新建）", name)
}

// SetPassword changes an account's password and saves the file.
func (s *Staff) SetPassword(name, password string) error {
	if err := ValidPassword(password); err != nil {
		return err
	}
	for i, a := range s.accounts {
		if a.Name == name {
			h, err := HashPassword(password)
			if err != nil {
				return err
			}
			s.accounts[i].Hash = h
			return s.save()
		}
	}
	return fmt.Errorf("没有账号 %q（kjjr console adduser 可新建）", name)
}

// save writes the file atomically (rename over), readable by its owner only.
func (s *Staff) save() error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("console: staff dir: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.Accounts()); err != nil {
		return fmt.Errorf("console: encode staff: %w", err)
	}
	if err := atomicfile.WriteFile(s.path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("console: write staff: %w", err)
	}
	return nil
}
