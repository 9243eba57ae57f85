package inbox

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/outbox"
	"kjjr/selection"
	"kjjr/sheet"
)

// Expert workbooks by mail (第三条第3项). Mail from an address that staff
// registered on a round's expert panel (kjjr round experts, kept on the
// round's private ref) carrying an .xlsx attachment is the expert's
// returned scoring workbook: selection.Repo.AddScores keeps it on the
// private ref as if staff had added it (by the expert, from the mail), and
// the expert gets a reply saying what was read or what to fix. A
// signature that fails DKIM is refused, as for reports. The round is the
// workbook's 遴选批次 when the expert sits on that panel, else the one
// panel the address is on. Such mail never reaches a branch.

// expertRounds returns the panels the sender of a parsed header sits on.
func (e *engine) expertRounds(p *parsed) map[string]selection.Expert {
	if p.FromProblem != "" || p.From == "" {
		return nil
	}
	sr, err := selection.Open(e.store.gitDir)
	if err != nil {
		return nil
	}
	defer sr.Close()
	m, err := sr.ExpertRounds(p.From)
	if err != nil {
		e.log.Warn("inbox: expert panels unreadable", "err", err)
		return nil
	}
	return m
}

// expertByHeader reports whether a message known by its header is from an
// expert (its body is then fetched).
func (e *engine) expertByHeader(pv preview, lim Limits) bool {
	if pv.size > lim.MaxMessage || len(pv.header) >= maxHeaderBytes {
		return false
	}
	return len(e.expertRounds(walkMessage(pv.header[:headerEnd(pv.header)], lim))) > 0
}

// handleExpertWorkbook keeps raw as an expert's workbook when it is from
// an expert; ok is false otherwise.
func (e *engine) handleExpertWorkbook(s *snapshot, raw []byte, receivedAt time.Time) (h handled, ok bool, err error) {
	lim := e.analyzer(s).limits()
	if int64(len(raw)) > lim.MaxMessage {
		return handled{}, false, nil
	}
	rounds := e.expertRounds(walkMessage(raw[:headerEnd(raw)], lim))
	if len(rounds) == 0 {
		return handled{}, false, nil
	}
	p := walkMessage(raw, lim)
	if p.From == "" {
		return handled{}, false, nil
	}
	id := identify(raw, p.MessageID)
	var problems []string
	var kept []string
	if d := verifyDKIM(raw, p.From, nil, e.lookup); d.Status == "fail" {
		problems = append(problems, fmt.Sprintf("DKIM 签名验证失败（%s）：邮件可能被伪造或在途中被改动，评分表未保存，请重新发送或交工作人员", d.String()))
	} else if d.Status == "temperror" {
		return handled{dest: destStay}, true, nil // try again later
	} else {
		sr, err := selection.Open(e.store.gitDir)
		if err != nil {
			return handled{}, true, err
		}
		defer sr.Close()
		found := false
		for _, pt := range p.Parts {
			if !strings.HasSuffix(strings.ToLower(pt.Name), ".xlsx") && pt.MediaType != xlsxMedia {
				continue
			}
			found = true
			if pt.TooLarge || pt.Data == nil {
				problems = append(problems, fmt.Sprintf("附件“%s”过大，未读取", pt.Name))
				continue
			}
			round, ex, msg := pickRound(pt.Data, rounds)
			if msg != "" {
				problems = append(problems, fmt.Sprintf("附件“%s”：%s", pt.Name, msg))
				continue
			}
			by := ex.Name + " <" + ex.Email + ">"
			wb, err := sr.AddScores(round, pt.Data, ex.Name, signatureOf(ex), e.now())
			var se *selection.Error
			switch {
			case errors.As(err, &se):
				problems = append(problems, fmt.Sprintf("附件“%s”：%s", pt.Name, se.Msg))
			case err != nil:
				return handled{}, true, err
			default:
				kept = append(kept, fmt.Sprintf("附件“%s”：已保存为 %s 对遴选批次 %s 的评分（%d 家已评分）", pt.Name, wb.Expert, round, len(wb.Scores.Rows)))
				e.log.Info("inbox: expert workbook kept", "round", round, "by", by)
			}
		}
		if !found {
			problems = append(problems, "邮件中没有 .xlsx 评分表附件：请把填好的评分表（.xlsx）作为附件发送")
		}
	}
	if _, suppress := suppressReply(netHeader(p)); !suppress {
		if q, ok := e.queue.(routeQueue); ok {
			subject := "回执：已收到您的评分表"
			if len(problems) > 0 {
				subject = "回执：评分表未能全部保存，请修改后重新发送"
			}
			body := "您好！本平台已于" + receivedAt.In(content.CST).Format("2006年1月2日 15:04") + "收到您的邮件。\n\n"
			for _, k := range kept {
				body += k + "\n"
			}
			for _, pr := range problems {
				body += pr + "\n"
			}
			body += "\n专家姓名和评分仅供市科技局内部使用，不予公开。\n"
			if err := q.queueNotice(&outbox.Notice{Key: "expert-workbook:" + id.Key(), To: []string{p.From}, Subject: subject, Body: body}); err != nil {
				e.log.Error("inbox: expert receipt not queued", "to", p.From, "err", err)
			}
		}
	}
	return handled{dest: destProcessed}, true, nil
}

const xlsxMedia = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// pickRound chooses the round of a workbook among the expert's panels.
func pickRound(data []byte, rounds map[string]selection.Expert) (string, selection.Expert, string) {
	sc, err := selection.ParseScores(data)
	if err != nil {
		var fe *sheet.FormatError
		if errors.As(err, &fe) {
			return "", selection.Expert{}, fe.Message
		}
		return "", selection.Expert{}, err.Error()
	}
	if ex, ok := rounds[sc.Round]; ok {
		return sc.Round, ex, ""
	}
	if len(rounds) == 1 && sc.Round == "" {
		for rd, ex := range rounds {
			return rd, ex, ""
		}
	}
	return "", selection.Expert{}, fmt.Sprintf("评分表的遴选批次“%s”不是您参加评审的批次：请使用工作人员发给您的评分表", sc.Round)
}

// signatureOf is the git identity an expert's workbook is kept under.
func signatureOf(ex selection.Expert) object.Signature {
	return object.Signature{Name: ex.Name, Email: ex.Email}
}
