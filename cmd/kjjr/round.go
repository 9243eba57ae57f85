package main

import (
	"fmt"
)

const roundUsage = `用法：
  kjjr round applications ROUND [--repo DIR]   一个遴选批次收到的申报及资格初审结果
`

// cmdRound dispatches kjjr round's subcommands (selection rounds, 第三条),
// each in its own file.
func cmdRound(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stderr, roundUsage)
		fmt.Fprintln(e.stderr, "\n参数：")
		fs, _, _ := roundApplicationsFlags(e)
		fs.PrintDefaults()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "applications":
		return cmdRoundApplications(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "kjjr round: 未知的子命令 %q\n\n%s", args[0], roundUsage)
	return 2
}
