package console

import "testing"

// FuzzCheckPassword: a damaged staff file (any hash text) never panics and
// never matches a password it was not made from.
func FuzzCheckPassword(f *testing.F) {
	const h = "$argon2id$v=19$m=19456,t=2,p=1$C0nnwLvMm+1Izu1+ZFxd9g$C1DMLeBksnjFi1LOwc4ApTNoG5YvYN3zQS+cmfcZ0jk" // of "correct horse battery"
	f.Add(h, "correct horse battery")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$$", "")
	f.Add("$argon2id$v=19$m=9999999999,t=2,p=1$AAAA$AAAA", "x")
	f.Add("$$$$$", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if checkPassword(hash, pw) && (hash != h || pw != "correct horse battery") {
			t.Fatalf("hash %q accepted password %q", hash, pw)
		}
	})
}
