package selection

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/submission"
)

// AnnounceOptions is the announcement of a round's institutions (第五条第1项).
type AnnounceOptions struct {
	Round string
	Date  content.Date // the announcement; zero: today
	// Notice is the slug of an existing 公告; "" drafts
	// notices/<date>-announcement-<round>.md listing the institutions.
	Notice string
	By     object.Signature
	Now    time.Time
}

// Announce records the announcement in rounds/<round>.md (and drafts the
// 公告 unless one is named). The publicity must have ended before the
// date (kjjr check's rule), and its outcome (outcome, withdrawn) is what
// staff recorded in it. The institutions' status follows from the
// records: the site lists them as announced from the date on.
func (r *Repo) Announce(o *AnnounceOptions) (*MainChange, error) {
	if err := checkRound(o.Round); err != nil {
		return nil, err
	}
	repo, mainC, err := r.loadMain()
	if err != nil {
		return nil, err
	}
	rd, err := roundRecord(mainC, o.Round)
	if err != nil {
		return nil, err
	}
	if !rd.Announcement.Date.IsZero() {
		return nil, refuse("rounds/%s.md 已于 %s 公告，不能再次公告", o.Round, rd.Announcement.Date)
	}
	pub := repo.Publicity(rd.Publicity)
	if pub == nil {
		return nil, refuse("rounds/%s.md 还没有公示：请先用 kjjr round decide 记录党组会议定并公示", o.Round)
	}
	if o.Date.IsZero() {
		o.Date = content.DateOf(o.Now)
	}
	if !pub.End.IsZero() && !o.Date.After(pub.End) {
		return nil, refuse("公示期到 %s 才结束：公告日期（%s）须在公示期结束之后（第三条第5项）", pub.End, o.Date)
	}
	edit := &mainEdit{files: map[string][]byte{}, by: o.By, now: o.Now}
	withdrawn := map[string]bool{}
	for _, s := range pub.Withdrawn {
		withdrawn[s] = true
	}
	var names []string
	for _, s := range pub.Institutions {
		if withdrawn[s] {
			continue
		}
		n := s
		if inst := repo.Institution(s); inst != nil {
			n = inst.Name
		}
		names = append(names, n)
	}
	if o.Notice == "" {
		o.Notice = o.Date.String() + "-announcement-" + o.Round
		title := "关于" + orDefault(strings.TrimSpace(rd.Title), o.Round) + "结果的公告"
		var b strings.Builder
		fmt.Fprintf(&b, "根据《科技金融服务机构遴选及考核管理办法（试行）》，经单位申请、专家评审、%s研究议定和社会公示（%s至%s），确定以下%d家单位为晋中市科技金融服务机构：\n\n",
			orDefault(rd.Decision.Meeting, "局党组会议"), pub.Start.Chinese(), pub.End.Chinese(), len(names))
		for i, n := range names {
			fmt.Fprintf(&b, "%d. %s\n", i+1, n)
		}
		nb, err := content.EncodeRecord(&content.Notice{Kind: content.NoticeAnnouncement, Title: title, Date: o.Date}, b.String())
		if err != nil {
			return nil, fmt.Errorf("selection: encode notice: %w", err)
		}
		edit.files["notices/"+o.Notice+".md"] = nb
	} else if repo.Notice(o.Notice) == nil {
		return nil, refuse("找不到公告 notices/%s.md：请先写好公告，或不加 --notice 由本命令起草", o.Notice)
	}
	rd.Announcement = content.Announcement{Date: o.Date, Notice: o.Notice}
	rb, err := encodeRound(rd)
	if err != nil {
		return nil, err
	}
	edit.files["rounds/"+o.Round+".md"] = rb
	edit.msg = fmt.Sprintf("遴选 %s：%s 公告 %d 家\n\n%s", o.Round, o.Date, len(names), submission.FormatTrailers(
		submission.Trailer{Key: "Announced-By", Value: o.By.Name + " <" + o.By.Email + ">"},
		submission.Trailer{Key: submission.KeyRound, Value: o.Round}))
	return r.commitMain(edit, mainC)
}

// FileOptions is the filing with the provincial department (第三条第6项).
type FileOptions struct {
	Round  string
	Date   content.Date
	Number string // 文号, optional
	By     object.Signature
	Now    time.Time
}

// File records the filing in rounds/<round>.md. The round must have been
// announced first.
func (r *Repo) File(o *FileOptions) (*MainChange, error) {
	if err := checkRound(o.Round); err != nil {
		return nil, err
	}
	_, mainC, err := r.loadMain()
	if err != nil {
		return nil, err
	}
	rd, err := roundRecord(mainC, o.Round)
	if err != nil {
		return nil, err
	}
	if rd.Announcement.Date.IsZero() {
		return nil, refuse("rounds/%s.md 还没有公告：请先用 kjjr round announce 记录公告", o.Round)
	}
	if o.Date.IsZero() {
		o.Date = content.DateOf(o.Now)
	}
	rd.Filing = content.Filing{Date: o.Date, Number: strings.TrimSpace(o.Number)}
	rb, err := encodeRound(rd)
	if err != nil {
		return nil, err
	}
	edit := &mainEdit{files: map[string][]byte{"rounds/" + o.Round + ".md": rb}, by: o.By, now: o.Now,
		msg: fmt.Sprintf("遴选 %s：%s 向省科技厅备案\n\n%s", o.Round, o.Date, submission.FormatTrailers(submission.Trailer{Key: submission.KeyRound, Value: o.Round}))}
	return r.commitMain(edit, mainC)
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}
