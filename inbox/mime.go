package inbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kjjr/internal/safetext"
)

// Limits bound what one message may hold (site.yaml inbox). A message over
// MaxMessage is never downloaded (see screen). Zero fields take the
// defaults.
type Limits struct {
	MaxAttachment  int64 // bytes per attachment; default 25 MiB
	MaxMessage     int64 // bytes per message; default 50 MiB
	MaxAttachments int   // attachments per message; default 30
}

func (l Limits) withDefaults() Limits {
	if l.MaxAttachment <= 0 {
		l.MaxAttachment = 25 << 20
	}
	if l.MaxMessage <= 0 {
		l.MaxMessage = 50 << 20
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = 30
	}
	return l
}

// Hard bounds of the MIME walk, whatever the limits say: a message that
// nests deeper or has more parts is hostile or broken.
const (
	maxDepth = 24
	maxParts = 500
	// maxForwards is how many forwarded messages (message/rfc822) deep
	// the walk reads attachments; deeper ones stay one .eml part.
	maxForwards = 3
)

// part is one attachment or inline non-text part of a message.
type part struct {
	Name      string // the file name as sent (decoded), or a made-up one
	MediaType string
	Data      []byte // decoded content; nil when TooLarge
	Size      int64  // decoded size
	SHA256    string
	TooLarge  bool
	Inline    bool
}

// parsed is what the MIME walk found in a message.
type parsed struct {
	Header mail.Header
	// From is the sender's lower-case address; "" unless the message has
	// exactly one From field with exactly one valid mailbox (FromProblem
	// then says why, in Chinese). FromRaw is the field as sent, cleaned.
	From        string
	FromName    string
	FromRaw     string
	FromProblem string
	Subject     string
	Date        time.Time // zero when missing or unreadable
	MessageID   string    // without angle brackets; "" when none
	Text        string    // the first text/plain body (or text/html stripped)
	Parts       []*part
	// Incomplete is set when the MIME structure is broken (a missing
	// closing boundary, broken base64): the message is rejected.
	Incomplete error
	// TooDeep or TooMany: the structure exceeds the hard bounds.
	TooMany bool
}

// identity is what makes a message the same message: a re-delivery (a new
// Received line, the same Message-ID and body) is a duplicate, and so is
// a message without Message-ID whose raw bytes are the same.
type identity struct {
	MessageID  string // without brackets
	RawSHA256  string // hex SHA-256 of the raw message (Source-Sha256)
	BodySHA256 string // hex SHA-256 of the bytes after the header block
	// HeaderSHA256 and Size identify a message whose body was never
	// fetched (a stranger's, or one over the size limit): the hex SHA-256
	// of its header block and its RFC822.SIZE. RawSHA256 and BodySHA256
	// are then empty.
	HeaderSHA256 string
	Size         int64
}

// Key is the message's identity as one string: "mid:<id> <body sha256>"
// or "raw:<raw sha256>", or "hdr:<header sha256> <size>" when only the
// header was read. It is the outbox receipt key.
func (id identity) Key() string {
	if id.HeaderSHA256 != "" {
		return "hdr:" + id.HeaderSHA256 + " " + strconv.FormatInt(id.Size, 10)
	}
	if id.MessageID != "" {
		return "mid:" + id.MessageID + " " + id.BodySHA256
	}
	return "raw:" + id.RawSHA256
}

// Hash is the hex SHA-256 of Key: the index key and, shortened, the
// quarantine id.
func (id identity) Hash() string {
	s := sha256.Sum256([]byte(id.Key()))
	return hex.EncodeToString(s[:])
}

// QuarantineID is the id of the message's quarantine record.
func (id identity) QuarantineID() string { return id.Hash()[:20] }

// headerEnd returns the offset of the body: after the first empty line.
func headerEnd(raw []byte) int {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return i + j + 1
		}
		i += j + 1
	}
	return len(raw)
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// identify computes the identity of raw; messageID is already parsed.
func identify(raw []byte, messageID string) identity {
	return identity{
		MessageID:  messageID,
		RawSHA256:  sha256hex(raw),
		BodySHA256: sha256hex(raw[headerEnd(raw):]),
	}
}

// wordDecoder decodes RFC 2047 words in any charset go-message knows
// (GBK, GB18030, GB2312, Big5, ...).
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// rawWordDecoder decodes the encoding of RFC 2047 words but leaves their
// bytes in the word's charset.
var rawWordDecoder = &mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil }}

// wordRunRE matches two or more adjacent RFC 2047 words (only white space
// between them); wordRE one word.
var (
	wordRE    = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=`)
	wordRunRE = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:[ \t\r\n]+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)+`)
)

// joinWords decodes each run of adjacent RFC 2047 words in one multi-byte
// charset (GBK, GB2312, GB18030, Big5) as one text. Chinese mailers fold a
// long subject or file name into several words and may split a character
// between two of them, which decoding word by word turns into U+FFFD (RFC
// 2047 forbids the split; Gmail and Outlook read it). Words in other
// charsets are left to the caller.
func joinWords(s string) string {
	return wordRunRE.ReplaceAllStringFunc(s, func(run string) string {
		words := wordRE.FindAllStringSubmatch(run, -1)
		cs := strings.ToLower(words[0][1])
		switch cs {
		case "gbk", "gb2312", "gb18030", "big5", "cp936", "x-gbk", "euc-cn":
		default:
			return run
		}
		var raw []byte
		for _, w := range words {
			if !strings.EqualFold(w[1], cs) {
				return run
			}
			b, err := rawWordDecoder.Decode(w[0])
			if err != nil {
				return run
			}
			raw = append(raw, b...)
		}
		r, err := charset.Reader(cs, bytes.NewReader(raw))
		if err != nil {
			return run
		}
		d, err := io.ReadAll(r)
		if err != nil || !utf8.Valid(d) {
			return run
		}
		return string(d)
	})
}

// decodeText decodes a header value: RFC 2047 words (adjacent ones in one
// Chinese charset together, see joinWords), and raw 8-bit text that is not
// UTF-8 (old Chinese clients send GBK bytes) read as GB18030.
func decodeText(s string) string {
	if strings.Contains(s, "=?") {
		s = joinWords(s)
	}
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	if !utf8.ValidString(s) {
		if d, err := simplifiedchinese.GB18030.NewDecoder().String(s); err == nil && utf8.ValidString(d) {
			s = d
		} else {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
	}
	return s
}

var (
	// name*0*=..., filename*=..., name="..." in a raw header value.
	// quotedRE matches an RFC 5322 quoted string.
	quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	paramRE  = regexp.MustCompile(`(?i)(?:^|;)\s*(filename|name)(\*(\d+))?(\*)?\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)`)
)

// paramName extracts a file name parameter (key "filename" or "name") from
// a raw Content-Disposition or Content-Type value, leniently: RFC 2231
// continuations and charsets (also GBK, which mime.ParseMediaType drops),
// RFC 2047 words inside quotes (Foxmail, QQ Mail), raw GBK bytes.
func paramName(raw, key string) string {
	type seg struct {
		n   int
		enc bool
		v   string
	}
	var segs []seg
	plain := ""
	for _, m := range paramRE.FindAllStringSubmatch(raw, -1) {
		if !strings.EqualFold(m[1], key) {
			continue
		}
		v := strings.TrimSpace(m[5])
		if strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) && len(v) >= 2 {
			v = v[1 : len(v)-1]
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v)
		}
		if m[2] == "" && m[4] == "" {
			if plain == "" {
				plain = v
			}
			continue
		}
		n := 0
		if m[3] != "" {
			n, _ = strconv.Atoi(m[3])
		}
		segs = append(segs, seg{n, m[4] != "", v})
	}
	if len(segs) > 0 {
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
		var cs string
		var buf []byte
		pending := ""
		flush := func() {
			if u, err := url.PathUnescape(pending); err == nil {
				buf = append(buf, u...)
			} else {
				buf = append(buf, pending...)
			}
			pending = ""
		}
		for i, s := range segs {
			v := s.v
			if !s.enc {
				flush()
				buf = append(buf, v...)
				continue
			}
			if i == 0 {
				// charset'language'value
				if p := strings.SplitN(v, "'", 3); len(p) == 3 {
					cs, v = p[0], p[2]
				}
			}
			pending += v
		}
		flush()
		out := string(buf)
		if cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
			if r, err := charset.Reader(cs, strings.NewReader(out)); err == nil {
				if d, err := io.ReadAll(r); err == nil {
					out = string(d)
				}
			}
		}
		if out != "" {
			return decodeText(out)
		}
	}
	return decodeText(plain)
}

// partName returns the file name of a part as sent, or "".
func partName(h message.Header) string {
	if n := paramName(h.Get("Content-Disposition"), "filename"); n != "" {
		return n
	}
	return paramName(h.Get("Content-Type"), "name")
}

// errIncomplete marks a broken MIME structure.
var errIncomplete = errors.New("incomplete MIME structure")

// Bounds of the one-line fields taken from a message, in runes (see
// package safetext: longer text is cut with an ellipsis).
const (
	maxSubjectRunes   = 200
	maxFromNameRunes  = 100
	maxPartNameRunes  = 255
	maxMessageIDRunes = 250
	maxFromShownRunes = 200
)

// walkMessage reads raw with the limits. It never panics and never
// returns an error: what is wrong is recorded in the result.
//
// Every piece of text it returns is cleaned where it enters (package
// safetext): the subject, the sender's display name, the Message-ID and the
// attachment names are single lines without control, bidi or zero-width
// characters and of bounded length; the body keeps its line breaks only.
//
// The sender is exact: From is set only when the message has exactly one
// From field holding exactly one valid mailbox. Otherwise From is "" and
// FromProblem says why (Chinese, for staff): no address is guessed from
// text that does not parse.
func walkMessage(raw []byte, lim Limits) *parsed {
	lim = lim.withDefaults()
	p := &parsed{}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		p.Incomplete = fmt.Errorf("%w: header: %v", errIncomplete, err)
		p.FromProblem = "邮件头无法解析，无法确认发件人"
		return p
	}
	p.Header = mail.Header{Header: e.Header}
	p.From, p.FromName, p.FromRaw, p.FromProblem = exactSender(e.Header.Values("From"))
	p.Subject = safetext.Line(decodeText(e.Header.Get("Subject")), maxSubjectRunes)
	if d, err := p.Header.Date(); err == nil {
		p.Date = d
	}
	if id, err := p.Header.MessageID(); err == nil && id != "" {
		p.MessageID = cleanMessageID(id)
	} else if v := strings.TrimSpace(e.Header.Get("Message-Id")); v != "" {
		p.MessageID = cleanMessageID(strings.Trim(v, "<> \t"))
	}
	w := &walker{p: p, lim: lim}
	w.walk(e, 0)
	p.Text = safetext.Block(p.Text, 0)
	return p
}

// cleanMessageID makes a Message-ID one bounded token: no unsafe runes, no
// white space, no angle brackets.
func cleanMessageID(id string) string {
	id = safetext.Line(id, 0)
	id = strings.Map(func(r rune) rune {
		if r == ' ' || r == '<' || r == '>' {
			return -1
		}
		return r
	}, id)
	if utf8.RuneCountInString(id) > maxMessageIDRunes {
		id = string([]rune(id)[:maxMessageIDRunes])
	}
	return id
}

// exactSender reads the From fields of a message: the sender is known only
// when there is exactly one From field and it holds exactly one valid
// mailbox (RFC 5322 address syntax, as net/mail parses it). addr is then
// the lower-case address and name the display name; otherwise addr is ""
// and problem says why, in Chinese for staff. shown is the field as sent,
// cleaned to one line, for the quarantine list.
func exactSender(fields []string) (addr, name, shown, problem string) {
	const untrusted = "：无法确认发件人，邮件可能是伪造的，已隔离且未发送回执"
	if len(fields) > 0 {
		shown = safetext.Line(decodeText(fields[0]), maxFromShownRunes)
	}
	switch len(fields) {
	case 0:
		return "", "", "", "邮件没有发件人（From）字段" + untrusted
	case 1:
	default:
		var all []string
		for _, f := range fields {
			all = append(all, "“"+safetext.Line(decodeText(f), maxFromShownRunes)+"”")
		}
		shown = strings.Join(all, "，")
		return "", "", shown, fmt.Sprintf("邮件有 %d 个发件人（From）字段（%s）%s", len(fields), shown, untrusted)
	}
	if strings.TrimSpace(fields[0]) == "" {
		return "", "", "", "邮件的发件人（From）字段为空" + untrusted
	}
	field := fields[0]
	if !utf8.ValidString(field) {
		// Old Chinese clients send the display name as raw GBK bytes:
		// read it as GB18030 (ASCII stays as it is).
		field = decodeText(field)
	}
	addrs, err := mail.ParseAddressList(field)
	if err != nil && strings.Contains(field, "=?") {
		// A display name in a Chinese charset split between encoded words
		// (see joinWords) does not decode word by word: join it first.
		// Only the display name changes; the address is parsed as strictly.
		// Each joined run becomes a quoted string, so that what it decodes
		// to cannot add an address or a delimiter.
		quoted := wordRunRE.ReplaceAllStringFunc(field, func(run string) string {
			d := joinWords(run)
			if d == run {
				return run
			}
			return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "").Replace(d) + `"`
		})
		addrs, err = mail.ParseAddressList(quoted)
	}
	switch {
	case err != nil:
		return "", "", shown, fmt.Sprintf("发件人（From）字段“%s”不是一个有效的邮件地址%s", shown, untrusted)
	case strings.ContainsAny(quotedRE.ReplaceAllString(wordRE.ReplaceAllString(field, ""), ""), ":;"):
		// A group ("name: a@b;") is not a mailbox, whatever it holds.
		return "", "", shown, fmt.Sprintf("发件人（From）字段“%s”是一个地址组，不是一个邮件地址%s", shown, untrusted)
	case len(addrs) != 1:
		return "", "", shown, fmt.Sprintf("发件人（From）字段“%s”中有 %d 个地址，应当只有一个%s", shown, len(addrs), untrusted)
	}
	a := strings.ToLower(strings.TrimSpace(addrs[0].Address))
	// The address must be written as such in the field as sent, not
	// made by decoding it.
	if at := strings.LastIndexByte(a, '@'); at <= 0 || at == len(a)-1 || !safetext.Clean(a) || strings.ContainsAny(a, " <>\"") ||
		!strings.Contains(strings.ToLower(fields[0]), a) {
		return "", "", shown, fmt.Sprintf("发件人（From）字段“%s”不是一个有效的邮件地址%s", shown, untrusted)
	}
	return a, safetext.Line(decodeText(addrs[0].Name), maxFromNameRunes), shown, ""
}

type walker struct {
	p        *parsed
	lim      Limits
	leaves   int
	html     string
	forwards int // message/rfc822 parts being walked
}

func (w *walker) fail(err error) {
	if w.p.Incomplete == nil {
		w.p.Incomplete = fmt.Errorf("%w: %v", errIncomplete, err)
	}
}

func (w *walker) walk(e *message.Entity, depth int) {
	if w.p.Incomplete != nil || w.p.TooMany {
		return
	}
	if depth > maxDepth {
		w.p.TooMany = true
		return
	}
	mt, _, _ := e.Header.ContentType()
	mt = strings.ToLower(mt)
	if mr := e.MultipartReader(); mr != nil && strings.HasPrefix(mt, "multipart/") {
		for {
			child, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil && (child == nil || !(message.IsUnknownCharset(err) || message.IsUnknownEncoding(err))) {
				w.fail(err)
				return
			}
			w.walk(child, depth+1)
			if w.p.Incomplete != nil || w.p.TooMany {
				return
			}
		}
		return
	}
	w.leaves++
	if w.leaves > maxParts {
		w.p.TooMany = true
		return
	}
	disp, _, _ := e.Header.ContentDisposition()
	disp = strings.ToLower(disp)
	name := partName(e.Header)
	if name == "" && (mt == "text/plain" || mt == "text/html") && disp != "attachment" {
		data, err := io.ReadAll(io.LimitReader(e.Body, w.lim.MaxAttachment+1))
		if err != nil {
			w.fail(err)
			return
		}
		if _, err := io.Copy(io.Discard, e.Body); err != nil {
			w.fail(err)
			return
		}
		s := decodeText(string(data))
		if mt == "text/plain" && w.p.Text == "" {
			w.p.Text = s
		} else if mt == "text/html" && w.html == "" {
			w.html = s
			if w.p.Text == "" {
				w.p.Text = stripHTML(s)
			}
		}
		return
	}
	pt := &part{Name: safetext.Line(name, maxPartNameRunes), MediaType: mt, Inline: disp == "inline"}
	if pt.Name == "" {
		pt.Name = fmt.Sprintf("附件%d%s", len(w.p.Parts)+1, extForMedia(mt))
	}
	// A text attachment was charset-converted by go-message; that is fine
	// for what we keep (we keep no text types), but its size is then the
	// converted size.
	data, err := io.ReadAll(io.LimitReader(e.Body, w.lim.MaxAttachment+1))
	if err != nil {
		w.fail(err)
		return
	}
	if int64(len(data)) > w.lim.MaxAttachment {
		n, err := io.Copy(io.Discard, e.Body)
		if err != nil {
			w.fail(err)
			return
		}
		pt.TooLarge = true
		pt.Size = int64(len(data)) + n
	} else {
		// A message forwarded as an attachment (Outlook and Foxmail
		// "作为附件转发"): its attachments are this message's. Each level
		// holds its bytes while the inner one is walked, so the levels
		// are bounded.
		if mt == "message/rfc822" && w.forwards < maxForwards {
			if inner, err := message.Read(bytes.NewReader(data)); inner != nil && (err == nil || message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)) {
				w.forwards++
				w.walk(inner, depth+1)
				w.forwards--
				return
			}
		}
		pt.Data = data
		pt.Size = int64(len(data))
		pt.SHA256 = sha256hex(data)
	}
	w.p.Parts = append(w.p.Parts, pt)
}

var tagRE = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)

// stripHTML turns an HTML body into rough text for the private note.
func stripHTML(s string) string {
	s = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>`).ReplaceAllString(s, "\n")
	s = tagRE.ReplaceAllString(s, "")
	s = strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
