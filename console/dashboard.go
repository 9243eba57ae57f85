package console

import (
	"net/http"
	"sort"

	"kjjr/content"
	"kjjr/health"
	"kjjr/inbox"
	"kjjr/review"
)

type dashboardData struct {
	Pending, Late int // submission branches waiting, and of those received late
	Quarantine    int
	Month         content.Period // the month whose sheet falls due this month
	Due           content.Date
	DueDays       int
	// The month's sheets: institutions required to report it, approved
	// (on time or late), waiting on a branch, overdue with nothing.
	Required, Approved, Waiting, Overdue int
	Next                                 []content.Cell // the next deadlines
	// Publicity are the 公示 running today (start <= today <= end).
	Publicity []*content.Publicity
	// Publish is the health record of the publishing job (nil: never run).
	Publish *health.Job
}

// PublishCause is the cause of the publish's last failure, in Chinese.
func (d dashboardData) PublishCause() string {
	if d.Publish == nil || d.Publish.Error == nil {
		return ""
	}
	return health.CauseText(d.Publish.Error.Cause)
}

// submissions returns review.Repo.List under the current refs.
func (s *Server) submissions(repo *review.Repo) ([]*review.Submission, error) {
	k, err := readRefs(repo)
	if err != nil {
		return nil, err
	}
	return s.views.submissions(repo, k)
}

// getSubmission returns review.Repo.Get under the current refs.
func (s *Server) getSubmission(repo *review.Repo, branch string) (*review.Submission, error) {
	k, err := readRefs(repo)
	if err != nil {
		return nil, err
	}
	return s.views.get(repo, k, branch)
}

// keptInstitution returns review.Repo.Institution under the current main.
func (s *Server) keptInstitution(repo *review.Repo, slug string) (*content.Institution, error) {
	k, err := readRefs(repo)
	if err != nil {
		return nil, err
	}
	return s.views.institution(repo, k, slug)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, se *session, _ string) {
	repo, k, done, ok := s.borrowAtRefs(w, se)
	if !ok {
		return
	}
	defer done()
	subs, err := s.views.submissions(repo, k)
	if err != nil {
		s.fail(w, se, err)
		return
	}
	d := dashboardData{}
	for _, sub := range subs {
		if sub.Merged {
			continue
		}
		d.Pending++
		if sub.Late {
			d.Late++
		}
	}
	if q, err := inbox.ListQuarantine(s.gitDir); err == nil {
		for _, rec := range q {
			if rec.Reason != "rejected" && rec.Released == "" { // a released message waits no more
				d.Quarantine++
			}
		}
	}
	today := content.DateOf(s.cfg.Now())
	last := today.AddMonths(-1)
	d.Month = content.MonthPeriod(last.Year, last.Month)
	seen := map[content.Period]bool{}
	for _, y := range []int{d.Month.Year, today.Year} {
		lines, err := s.views.matrix(repo, k, y, today)
		if err != nil {
			s.cfg.Logf("console: status: %v", err)
			break
		}
		for _, l := range lines {
			for _, c := range l.Cells {
				if c.Period == d.Month && !seen[c.Period] {
					d.Due = c.Due
				}
				if c.Period == d.Month && y == d.Month.Year {
					switch c.State {
					case content.StateOnTime, content.StateLate:
						d.Required++
						d.Approved++
					case content.StatePending:
						d.Required++
						d.Waiting++
					case content.StateMissing:
						d.Required++
						d.Overdue++
					case content.StateNotDue:
						d.Required++
					}
				}
				if !c.Due.Before(today) && !seen[c.Period] && c.State != content.StateNotRequired {
					seen[c.Period] = true
					d.Next = append(d.Next, c)
				}
			}
		}
		if d.Month.Year == today.Year {
			break
		}
	}
	sort.Slice(d.Next, func(i, j int) bool { return d.Next[i].Due.Before(d.Next[j].Due) })
	if len(d.Next) > 3 {
		d.Next = d.Next[:3]
	}
	if d.Due.IsZero() {
		if st, err := s.views.statusRepo(repo, k); err == nil {
			d.Due = content.Deadline(&st.Site, st.Calendar, d.Month).Date
		}
	}
	d.DueDays = int(d.Due.Time().Sub(today.Time()).Hours() / 24)
	if pubs, err := s.views.publicities(repo, k); err == nil {
		for _, p := range pubs {
			if !p.Start.IsZero() && !p.End.IsZero() && !today.Before(p.Start) && !today.After(p.End) {
				d.Publicity = append(d.Publicity, p)
			}
		}
	} else {
		s.cfg.Logf("console: publicity: %v", err)
	}
	if h, err := health.Read(s.gitDir); err == nil {
		d.Publish = h.Jobs[health.JobPublish]
	} else {
		s.cfg.Logf("console: %v", err)
	}
	s.render(w, http.StatusOK, "dashboard", page{Title: "工作台", Staff: se, Flash: s.sess.takeFlash(se), Data: d})
}
