package selection

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/internal/safetext"
	"kjjr/sheet"
)

// Workbook is one expert's returned workbook as kept on the private ref:
// scores/<id>.xlsx (the file as returned) and scores/<id>.json (this).
type Workbook struct {
	Expert  string    `json:"expert"`
	SHA256  string    `json:"sha256"`   // of the .xlsx
	AddedBy string    `json:"added_by"` // "Name <email>" of the staff member, or the inbox
	AddedAt time.Time `json:"added_at"`
	// Scores is what ParseScores read, kept so that listing needs no
	// spreadsheet library.
	Scores *Scores `json:"scores"`
}

// expertID is the file name stem of an expert's workbook: the first 16
// hex digits of the SHA-256 of the name (NFKC, white space removed), so
// that a second workbook by the same expert replaces the first and no name
// becomes a path.
func expertID(name string) string {
	sum := sha256.Sum256([]byte(sheet.NormLabel(name)))
	return hex.EncodeToString(sum[:8])
}

// AddScores keeps an expert's returned workbook on the round's private
// ref (see the package doc), committed by by at now, after ParseScores
// accepts it and its rows name applicants of the round. expert, when not
// empty, is the expert's name as staff give it; the workbook's 评审专家
// cell must then be blank or the same. A second workbook by the same
// expert replaces the first. It returns what was read.
func (r *Repo) AddScores(round string, data []byte, expert string, by object.Signature, now time.Time) (*Workbook, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	sc, err := ParseScores(data)
	if err != nil {
		var fe *sheet.FormatError
		if errors.As(err, &fe) {
			return nil, refuse("评分表无法读取：%s", fe.Message)
		}
		return nil, refuse("%s", err.Error())
	}
	expert = safetext.Line(expert, 100)
	switch {
	case expert == "" && sc.Expert == "":
		return nil, refuse("不知道这份评分表是哪位专家的：评分表的“%s”一栏是空的，请用 --expert 姓名 指明", labelExpert)
	case expert == "":
		expert = sc.Expert
	case sc.Expert != "" && sheet.NormLabel(sc.Expert) != sheet.NormLabel(expert):
		return nil, refuse("评分表上的评审专家是“%s”，与 --expert “%s” 不符：请核对后重试", sc.Expert, expert)
	}
	sc.Expert = expert
	if sc.Round != "" && sc.Round != round {
		return nil, refuse("这份评分表属于遴选批次 %s，不是 %s：请核对后重试", sc.Round, round)
	}
	apps, err := r.Applicants(round)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, a := range apps {
		known[a.Key()] = true
	}
	var unknown []string
	for _, s := range sc.Rows {
		if !known[s.Key] {
			unknown = append(unknown, s.Key)
		}
	}
	if len(unknown) > 0 {
		return nil, refuse("评分表中的申报编号 %s 不是本批次（%s）的申报单位：请用 kjjr template --review %s 重新生成评分表", strings.Join(unknown, "、"), round, round)
	}
	sum := sha256.Sum256(data)
	wb := &Workbook{Expert: expert, SHA256: hex.EncodeToString(sum[:]), AddedBy: by.Name + " <" + by.Email + ">", AddedAt: now.UTC(), Scores: sc}
	js, err := json.MarshalIndent(wb, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("selection: encode workbook: %w", err)
	}
	id := expertID(expert)
	files := map[string][]byte{"scores/" + id + ".xlsx": data, "scores/" + id + ".json": append(js, '\n')}
	if _, err := r.addPrivate(round, files, signature(by, now), fmt.Sprintf("专家评分：%s\n\nKjjr-Round: %s\n", expert, round)); err != nil {
		return nil, err
	}
	return wb, nil
}

// Workbooks returns the workbooks kept for round, by expert name.
func (r *Repo) Workbooks(round string) ([]*Workbook, error) {
	if err := checkRound(round); err != nil {
		return nil, err
	}
	files, err := r.privateFiles(round, "scores")
	if err != nil {
		return nil, err
	}
	var out []*Workbook
	for p, data := range files {
		if !strings.HasSuffix(p, ".json") {
			continue
		}
		var wb Workbook
		if err := json.Unmarshal(data, &wb); err != nil || wb.Scores == nil {
			return nil, fmt.Errorf("selection: %s on %s: %v", p, PrivateRef(round), err)
		}
		out = append(out, &wb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Expert < out[j].Expert })
	return out, nil
}

// Aggregate is the expert review of one applicant: how many experts
// scored it, the mean and spread of their totals, how many recommended.
type Aggregate struct {
	Key, Name   string
	Slug        string // from the application branch; "" if it has none
	Experts     int
	Mean        float64
	Min, Max    float64
	StdDev      float64 // population standard deviation of the totals
	Recommended int
}

// Aggregates returns the aggregate per applicant of round: every
// applicant of the round (scored or not), then any key the workbooks name
// that has no branch any more, best mean first, then by key.
func (r *Repo) Aggregates(round string) ([]Aggregate, []*Workbook, error) {
	wbs, err := r.Workbooks(round)
	if err != nil {
		return nil, nil, err
	}
	apps, err := r.Applicants(round)
	if err != nil {
		return nil, nil, err
	}
	byKey := map[string]*Aggregate{}
	var order []string
	add := func(key, name, slug string) *Aggregate {
		if a := byKey[key]; a != nil {
			return a
		}
		byKey[key] = &Aggregate{Key: key, Name: name, Slug: slug}
		order = append(order, key)
		return byKey[key]
	}
	for _, a := range apps {
		add(a.Key(), a.Name(), a.Slug)
	}
	totals := map[string][]float64{}
	for _, wb := range wbs {
		for _, s := range wb.Scores.Rows {
			ag := add(s.Key, s.Name, "")
			totals[s.Key] = append(totals[s.Key], s.Total)
			if s.Recommend {
				ag.Recommended++
			}
		}
	}
	out := make([]Aggregate, 0, len(order))
	for _, k := range order {
		ag := byKey[k]
		ts := totals[k]
		ag.Experts = len(ts)
		if len(ts) > 0 {
			ag.Min, ag.Max = ts[0], ts[0]
			sum := 0.0
			for _, t := range ts {
				sum += t
				ag.Min, ag.Max = math.Min(ag.Min, t), math.Max(ag.Max, t)
			}
			ag.Mean = sum / float64(len(ts))
			v := 0.0
			for _, t := range ts {
				v += (t - ag.Mean) * (t - ag.Mean)
			}
			ag.StdDev = math.Sqrt(v / float64(len(ts)))
		}
		out = append(out, *ag)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Experts > 0 != (out[j].Experts > 0) {
			return out[i].Experts > 0
		}
		if out[i].Mean != out[j].Mean {
			return out[i].Mean > out[j].Mean
		}
		return out[i].Key < out[j].Key
	})
	return out, wbs, nil
}
