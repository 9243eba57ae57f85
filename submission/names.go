package submission

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest file name kjjr writes, in UTF-8 bytes, hash
// prefix included: well under the 255 bytes of ext4, APFS and NTFS.
const MaxNameBytes = 200

// evidencePrefixLen is the length of the hash prefix EvidenceName adds:
// 12 hex digits and a hyphen.
const evidencePrefixLen = 13

// maxExtBytes is the longest extension that CleanFileName keeps when it
// shortens a name.
const maxExtBytes = 16

// forbiddenRune reports whether r may not appear in a file name: control
// characters (C0, DEL, C1), format characters (bidi controls, zero-width
// characters, soft hyphen, …), line and paragraph separators, and the
// characters Windows reserves.
func forbiddenRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r >= 0x200b && r <= 0x200f, r == 0x2060, r == 0xfeff:
		return true // bidi controls and zero-width characters (also in Cf; listed for the reader)
	case unicode.Is(unicode.Cf, r):
		return true
	case strings.ContainsRune(`<>:"|?*\/`, r):
		return true
	}
	return false
}

// reservedName reports whether name is a Windows device name, alone or
// with an extension (CON, con.txt, COM1.pdf, …).
func reservedName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// CheckFileName returns an error (in Chinese, naming the problem) when name
// is not one valid path component under the package's name policy.
func CheckFileName(name string) error {
	bad := func(format string, args ...any) error {
		return &Error{Path: name, Msg: fmt.Sprintf("文件名 %q %s", name, fmt.Sprintf(format, args...))}
	}
	switch {
	case name == "":
		return &Error{Msg: "文件名为空"}
	case !utf8.ValidString(name):
		return bad("不是有效的 UTF-8 文本")
	case len(name) > MaxNameBytes:
		return bad("过长（%d 字节，上限 %d 字节）", len(name), MaxNameBytes)
	}
	trimmed := strings.ToLower(strings.TrimRight(name, ". "))
	switch trimmed {
	case "", ".", "..":
		return bad("指向目录本身或上级目录，不能作为文件名")
	case ".git", "git~1":
		return bad("是 git 的保留名称，不能作为文件名")
	}
	for _, r := range name {
		if forbiddenRune(r) {
			return bad("含有不允许的字符 %U（控制字符、格式字符、换行，或 Windows 不允许的 <>:\"|?*\\/）", r)
		}
	}
	switch {
	case strings.HasPrefix(name, "."):
		return bad("以点开头（隐藏文件或 git 的特殊文件）")
	case strings.HasPrefix(name, " "), strings.HasSuffix(name, " "):
		return bad("以空格开头或结尾（Windows 不能保存）")
	case strings.HasSuffix(name, "."):
		return bad("以点结尾（Windows 不能保存）")
	case reservedName(name):
		return bad("是 Windows 的保留设备名（CON、PRN、AUX、NUL、COM1…、LPT1…），Windows 不能保存")
	}
	return nil
}

// CleanFileName turns a file name as sent (any string) into one that
// CheckFileName accepts, of at most MaxNameBytes bytes.
func CleanFileName(name string) string { return cleanName(name, MaxNameBytes) }

// EvidenceName names an evidence file: the first 12 hex digits of the
// file's SHA-256 (hex), a hyphen and the cleaned original name, at most
// MaxNameBytes bytes in all.
func EvidenceName(sha256hex, name string) string {
	h := sha256hex
	if len(h) > evidencePrefixLen-1 {
		h = h[:evidencePrefixLen-1]
	}
	return CleanFileName(h + "-" + cleanName(name, MaxNameBytes-evidencePrefixLen))
}

// cleanName is CleanFileName with a limit of max bytes (at least 16).
// It keeps only the last path element (whichever separator the sender
// used, and without a drive letter), drops forbidden characters, replaces
// the Windows-reserved ones with "_" and other white space with a space,
// trims dots and spaces at both ends, prefixes a reserved device name with
// "_", and shortens the name at a character boundary keeping its
// extension. Chinese and other letters are kept. It never returns "".
func cleanName(name string, max int) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) >= 2 && name[1] == ':' { // C:name
		name = name[2:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		case forbiddenRune(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.Trim(b.String(), ". ")
	if name == "" {
		name = "attachment"
	}
	if len(name) > max {
		ext := path.Ext(name)
		if len(ext) > maxExtBytes || ext == name || len(ext) >= max/2 {
			ext = ""
		}
		stem := strings.TrimSuffix(name, ext)
		n := max - len(ext)
		for n > 0 && !utf8.RuneStart(stem[n]) {
			n--
		}
		stem = strings.TrimRight(stem[:n], ". ")
		if stem == "" {
			stem = "_"
		}
		name = stem + ext
	}
	if reservedName(name) || strings.EqualFold(name, "git~1") {
		name = "_" + name
		if len(name) > max {
			name = name[:max] // reserved names are short: never reached with max >= 16
		}
	}
	return name
}
