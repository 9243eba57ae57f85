package content

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"time"
)

// CalendarYear is calendar/<year>.yaml: one year's official holidays and
// adjusted working days (调休上班) from the State Council's notice.
type CalendarYear struct {
	Year     int               `yaml:"year"`
	Source   string            `yaml:"source"` // e.g. 国办发明电〔2024〕12号
	Holidays []Holiday         `yaml:"holidays"`
	Workdays []AdjustedWorkday `yaml:"workdays"`

	File string `yaml:"-"`
}

// Holiday is a run of days off, both ends inclusive.
type Holiday struct {
	Name string `yaml:"name"`
	From Date   `yaml:"from"`
	To   Date   `yaml:"to"`
}

// AdjustedWorkday is a weekend day that is a working day (调休上班).
type AdjustedWorkday struct {
	Date Date   `yaml:"date"`
	For  string `yaml:"for"` // the holiday it makes up for
}

// Calendar answers working-day questions for the years it holds. The zero
// value holds no year. It is safe for concurrent reads.
type Calendar struct {
	years map[int]bool
	off   map[Date]string // holidays
	work  map[Date]string // adjusted working days
}

// CalendarRangeError is returned for a date in a year the calendar lacks.
type CalendarRangeError struct{ Year int }

func (e *CalendarRangeError) Error() string {
	return fmt.Sprintf("日历中没有 %d 年的节假日安排：请按国务院办公厅当年的放假通知添加 calendar/%d.yaml", e.Year, e.Year)
}

// NewCalendar builds a calendar from year files. It checks that holidays
// and adjusted working days fall in their year, and returns diagnostics for
// what does not.
func NewCalendar(years []*CalendarYear) (*Calendar, Diagnostics) {
	c := &Calendar{years: map[int]bool{}, off: map[Date]string{}, work: map[Date]string{}}
	var ds Diagnostics
	for _, y := range years {
		if c.years[y.Year] {
			ds = append(ds, Diagnostic{File: y.File, Line: 1, Message: fmt.Sprintf("%d 年的日历重复", y.Year)})
			continue
		}
		c.years[y.Year] = true
		for i, h := range y.Holidays {
			if h.From.IsZero() || h.To.IsZero() || h.To.Before(h.From) {
				ds = append(ds, Diagnostic{File: y.File, Field: fmt.Sprintf("holidays[%d]", i), Message: "假期起止日期缺失或颠倒"})
				continue
			}
			// A year's notice may start a holiday in the December before.
			if h.To.Year != y.Year && h.From.Year != y.Year {
				ds = append(ds, Diagnostic{File: y.File, Field: fmt.Sprintf("holidays[%d]", i), Message: fmt.Sprintf("假期 %s 不在 %d 年", h.Name, y.Year)})
			}
			for d := h.From; !d.After(h.To); d = d.AddDays(1) {
				c.off[d] = h.Name
			}
		}
		for i, w := range y.Workdays {
			if wd := w.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
				ds = append(ds, Diagnostic{File: y.File, Field: fmt.Sprintf("workdays[%d]", i), Severity: Warning,
					Message: fmt.Sprintf("调休上班日 %s 不是周末", w.Date)})
			}
			c.work[w.Date] = w.For
		}
	}
	return c, ds
}

// Years returns the years the calendar holds, ascending.
func (c *Calendar) Years() []int {
	var ys []int
	for y := range c.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// HasYear reports whether the calendar holds year.
func (c *Calendar) HasYear(year int) bool { return c != nil && c.years[year] }

// IsWorkday reports whether d is a working day: a weekday that is not a
// holiday, or an adjusted working day. A date in a year the calendar does
// not hold is a *CalendarRangeError, never a guess.
func (c *Calendar) IsWorkday(d Date) (bool, error) {
	if !c.HasYear(d.Year) {
		return false, &CalendarRangeError{Year: d.Year}
	}
	if _, ok := c.work[d]; ok {
		return true, nil
	}
	if _, ok := c.off[d]; ok {
		return false, nil
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// HolidayName returns the holiday d falls in, or "".
func (c *Calendar) HolidayName(d Date) string { return c.off[d] }

// AddWorkdays returns the last day of a period of n working days that
// begins on start: start counts when it is a working day. n < 1 is an error.
func (c *Calendar) AddWorkdays(start Date, n int) (Date, error) {
	if n < 1 {
		return Date{}, fmt.Errorf("工作日天数应至少为 1，实际为 %d", n)
	}
	d := start
	for count := 0; ; d = d.AddDays(1) {
		ok, err := c.IsWorkday(d)
		if err != nil {
			return Date{}, err
		}
		if ok {
			count++
			if count == n {
				return d, nil
			}
		}
	}
}

// NextWorkday returns the first working day on or after d.
func (c *Calendar) NextWorkday(d Date) (Date, error) { return c.AddWorkdays(d, 1) }

// ReadCalendar reads calendar/<year>.yaml from fsys (a content repo or a
// git tree) without loading the rest of the repo, for callers that need
// deadlines alone. A missing calendar directory is an empty calendar; a
// file that does not decode, or whose year differs from its name, is left
// out with a diagnostic, as Load does.
func ReadCalendar(fsys fs.FS) (*Calendar, Diagnostics) {
	var years []*CalendarYear
	var ds Diagnostics
	ents, _ := fs.ReadDir(fsys, "calendar")
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".yaml" {
			continue
		}
		file := "calendar/" + name
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			ds = append(ds, Diagnostic{File: file, Message: fmt.Sprintf("无法读取：%v", err)})
			continue
		}
		y := &CalendarYear{File: file}
		if d := DecodeYAMLFile(file, data, y); d.HasErrors() {
			ds = append(ds, d...)
			continue
		}
		if strconv.Itoa(y.Year)+".yaml" != name {
			ds = append(ds, Diagnostic{File: file, Line: 1, Field: "year", Message: fmt.Sprintf("year 为 %d，但文件名是 %s", y.Year, name)})
			continue
		}
		years = append(years, y)
	}
	c, cds := NewCalendar(years)
	return c, append(ds, cds...)
}
