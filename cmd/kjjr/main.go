// Kjjr runs the public register of 晋中市科技金融服务机构 and collects
// their reports, under 晋中市科技局《科技金融服务机构遴选及考核管理办法（试行）》.
//
// Usage:
//
//	kjjr <command> [flags] [args]
//
// The commands are:
//
//	init DIR           new content repo from the embedded default (git init, first commit)
//	check [DIR]        validate a content repo against the measures (default: embedded)
//	workdays DATE N    the last day of N working days starting on DATE (公示期)
//	build              render the public static site
//	serve              build, serve and live-reload the site while the content changes
//	publish            build a branch from git and switch the web root to it atomically (rollback, status)
//	hooks              install the push gate and publish-on-push hooks into the server's bare repo
//	template           write the blank monthly sheet or application form (.xlsx)
//	sheet FILE.xlsx    parse one monthly sheet and print the record it would write
//	inbox              fetch emailed reports over IMAP onto review branches
//	review             list, show, approve or reject submission branches
//	round              selection rounds: the applications and their pre-check
//	console            the staff console in the browser (and its accounts)
//	status             the reporting-compliance matrix and the last publish
//	assess YEAR        draft the annual assessment from approved reports
//	remind             email reminders before and after reporting deadlines
//	health             operations check (monitoring-plugin exit codes) and staff alerts
//	demo               a newcomer's tour, offline, in one command
//	gencorpus          a synthetic content repo of any size, for benchmarks
//
// Run "kjjr <command> -h" for a command's flags.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// main runs the command. KJJR_CPUPROFILE=FILE writes a CPU profile of the
// run to FILE (for performance work: go tool pprof kjjr FILE).
func main() {
	if p := os.Getenv("KJJR_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kjjr: KJJR_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "kjjr: KJJR_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
