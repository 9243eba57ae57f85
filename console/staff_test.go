package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStaffFile(t *testing.T) {
	gitDir := t.TempDir()
	path := StaffFile(gitDir)
	st, err := LoadStaff(path)
	if err != nil || len(st.Accounts()) != 0 {
		t.Fatalf("missing file: %v %v", st, err)
	}
	if err := st.Add("王科长", "wang@example.gov.cn", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("staff file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "correct horse") || !strings.Contains(string(data), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("staff file:\n%s", data)
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("temporary files left beside the staff file: %v", ents)
	}

	st, err = LoadStaff(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pw string
		ok       bool
	}{
		{"王科长", "correct horse battery", true},
		{"王科长", "correct horse batterY", false},
		{"王科长", "", false},
		{"李", "correct horse battery", false},
	} {
		if _, ok := st.Verify(tc.name, tc.pw); ok != tc.ok {
			t.Errorf("Verify(%q, %q) = %v", tc.name, tc.pw, ok)
		}
	}
	if err := st.SetPassword("王科长", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Verify("王科长", "correct horse battery"); ok {
		t.Error("old password still works")
	}
	if err := st.Add("王科长", "x@example.gov.cn", "another long password"); err == nil {
		t.Error("duplicate account accepted")
	}
	if err := st.Delete("王科长"); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Verify("王科长", "a new long password"); ok {
		t.Error("deleted account still logs in")
	}
}

func TestAccountValidation(t *testing.T) {
	for _, name := range []string{"", " 王", "a<b", "x\ny", strings.Repeat("长", 41)} {
		if ValidName(name) == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	for _, e := range []string{"", "a", "@x", "a@", "a b@x", "a@x>"} {
		if ValidEmail(e) == nil {
			t.Errorf("email %q accepted", e)
		}
	}
	if ValidPassword("short") == nil {
		t.Error("short password accepted")
	}
}

func TestCheckPasswordRejectsDamagedHashes(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$a$b", strings.Replace(h, "m=19456", "m=4000000", 1), strings.Replace(h, "m=19456", "m=1000000", 1), strings.Replace(h, "t=2", "t=0", 1), h[:len(h)-5]} {
		if checkPassword(bad, "correct horse battery") {
			t.Errorf("hash %q accepted", bad)
		}
	}
}
