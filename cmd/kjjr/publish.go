package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kjjr/internal/gitdir"
	"kjjr/publish"
)

// cmdPublish is "kjjr publish --repo DIR [--ref main] --to WEBROOT", with
// --rollback and --status: see package publish.
func cmdPublish(e *env, args []string) int {
	fl := flag.NewFlagSet("kjjr publish", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dir := repoFlag(fl, "", "内容仓库 `DIR`（裸仓库或工作目录，从 git 对象生成，不需要检出）")
	ref := fl.String("ref", "main", "发布的分支 `BRANCH`")
	to := fl.String("to", "", "网站根目录 `WEBROOT`（其中 current 指向当前版本，web 服务器以 WEBROOT/current 为根）")
	nowFlag := fl.String("now", "", "按此日期生成网站，`YYYY-MM-DD`（默认今天，北京时间）")
	keep := fl.Int("keep", publish.DefaultKeep, "保留最近 `N` 个版本")
	rollback := fl.Bool("rollback", false, "回退到上一个版本（不重新生成）")
	status := fl.Bool("status", false, "显示最近一次发布的结果和失败（需要 --repo 或 --to）")
	force := fl.Bool("force", false, "即使内容和日期都没有变化也生成新版本（例如升级 kjjr 之后）")
	queued := fl.Bool("queued", false, "由 post-receive 钩子在后台调用：发布所有等待中的推送，已有发布在运行时立即退出")
	asJSON := fl.Bool("json", false, "以 JSON 输出结果")
	fl.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr publish --repo DIR [--ref main] --to WEBROOT [--now YYYY-MM-DD] [--keep N] [--json]\n      kjjr publish --to WEBROOT --rollback\n      kjjr publish --repo DIR --status\n\n从内容仓库的分支生成网站并原子地发布：新版本放在 WEBROOT/releases/<版本号>/，与上一版本相同的文件用硬链接共享，\n生成完毕后 WEBROOT/current 才切换到新版本。内容和日期都没有变化时不生成新版本。\n\n参数：")
		fl.PrintDefaults()
	}
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "kjjr publish: 多余的参数 %q\n", pos[0])
		return 2
	}
	now, ok := parseNow(e, "publish", *nowFlag)
	if !ok {
		return 2
	}
	switch {
	case *status:
		return publishStatus(e, *dir, *to, *asJSON)
	case *to == "":
		fmt.Fprintln(e.stderr, "kjjr publish: 请用 --to WEBROOT 指定网站根目录")
		return 2
	case *rollback:
		r, err := publish.Rollback(*to)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr publish: 回退失败：%v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "已回退到版本 %s（提交 %.12s，按 %s 生成）。\n", r.ID, r.Commit, r.Now)
		return 0
	case *dir == "":
		fmt.Fprintln(e.stderr, "kjjr publish: 请用 --repo DIR 指定内容仓库")
		return 2
	}
	gitDir, _, err := gitdir.Find(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr publish: %s 不是 git 仓库：%v\n", *dir, err)
		return 1
	}
	opts := &publish.Options{Ref: *ref, Now: now, Keep: *keep, Force: *force}
	if *queued {
		// The post-receive hook starts this when main moved: mark it to
		// be published, then publish what is pending unless another
		// process already does.
		err := publish.Request(gitDir)
		if err == nil {
			err = publish.RunQueued(gitDir, *to, opts)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr publish: 发布失败：%v\n", err)
			return 1
		}
		return 0
	}
	start := time.Now()
	res, err := publish.Publish(*dir, *to, opts)
	if rerr := publish.Record(gitDir, *to, start, res, err); rerr != nil {
		fmt.Fprintf(e.stderr, "kjjr publish: 警告：无法写入发布记录：%v\n", rerr)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr publish: 发布失败，网站仍是原来的版本：%v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return 0
	}
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "内容和日期都没有变化，网站仍是版本 %s（提交 %.12s）。\n", res.Release.ID, res.Release.Commit)
	} else {
		fmt.Fprintf(e.stdout, "已发布版本 %s（提交 %.12s）：%d 个页面，共 %d 个文件，写入 %d 个；用时 %.2f 秒。\n",
			res.Release.ID, res.Release.Commit, res.Release.Pages, res.Release.Files, res.Release.Written, res.Duration.Seconds())
	}
	if !res.NextChange.IsZero() {
		fmt.Fprintf(e.stdout, "下次内容自动变化：%s（%s），届时请再次发布（见 README 的定时发布）。\n", res.NextChange, res.NextChangeReason)
	}
	return 0
}

func publishStatus(e *env, dir, to string, asJSON bool) int {
	if dir == "" && to == "" {
		fmt.Fprintln(e.stderr, "kjjr publish --status: 请用 --repo DIR 或 --to WEBROOT 指定")
		return 2
	}
	var st *publish.Status
	var gitDir string
	if dir != "" {
		var err error
		gitDir, _, err = gitdir.Find(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr publish: %s 不是 git 仓库：%v\n", dir, err)
			return 1
		}
		st, err = publish.ReadStatus(gitDir)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(e.stdout, "还没有通过 %s 发布过（%s 不存在）。\n", dir, publish.StatusPath(gitDir))
			return 0
		} else if err != nil {
			fmt.Fprintf(e.stderr, "kjjr publish: %v\n", err)
			return 1
		}
		if to == "" {
			to = st.WebRoot
		}
	}
	var cur *publish.Release
	if to != "" {
		cur, _ = publish.Current(to)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Status  *publish.Status  `json:"status,omitempty"`
			Current *publish.Release `json:"current,omitempty"`
		}{st, cur})
		return 0
	}
	if cur != nil {
		fmt.Fprintf(e.stdout, "当前版本：%s（提交 %.12s，按 %s 生成，%s 发布）\n", cur.ID, cur.Commit, cur.Now, cur.Built.Local().Format("2006-01-02 15:04:05"))
	} else if to != "" {
		fmt.Fprintf(e.stdout, "%s 还没有发布过的版本。\n", filepath.Join(to, "current"))
	}
	if st == nil {
		return 0
	}
	if !writePublishAttempt(e.stdout, st, gitDir) {
		return 1
	}
	return 0
}

// writePublishAttempt writes, in Chinese, the last publish of st and, when
// it failed, the error, the last success and the log; it reports whether
// the last publish succeeded.
func writePublishAttempt(w io.Writer, st *publish.Status, gitDir string) bool {
	a := st.Last
	when := a.Time.Local().Format("2006-01-02 15:04:05")
	switch {
	case !a.OK:
		fmt.Fprintf(w, "最近一次发布（%s）失败：%s\n", when, a.Error)
		if st.LastSuccess != nil {
			fmt.Fprintf(w, "最近一次成功的发布：%s，版本 %s\n", st.LastSuccess.Time.Local().Format("2006-01-02 15:04:05"), st.LastSuccess.Release)
		}
		fmt.Fprintf(w, "日志：%s\n", publish.LogPath(gitDir))
		return false
	case a.Unchanged:
		fmt.Fprintf(w, "最近一次发布（%s）：没有变化，仍是版本 %s。\n", when, a.Release)
	default:
		fmt.Fprintf(w, "最近一次发布（%s）：版本 %s（提交 %.12s），用时 %.2f 秒。\n", when, a.Release, a.Commit, a.Seconds)
	}
	if a.NextChange != "" {
		fmt.Fprintf(w, "下次内容自动变化：%s\n", a.NextChange)
	}
	return true
}

// cmdHooks is "kjjr hooks install|pre-receive|post-receive": the push
// gate and the publish after a push, in the server's bare repo.
func cmdHooks(e *env, args []string) int {
	fl := flag.NewFlagSet("kjjr hooks", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dir := repoFlag(fl, "", "服务器上的裸仓库 `DIR`（如 /srv/kjjr/content.git）")
	web := fl.String("publish", "", "网站根目录 `WEBROOT`（main 更新后发布到这里）")
	nowFlag := fl.String("now", "", "校验所按的日期，`YYYY-MM-DD`（默认今天，北京时间）")
	fl.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr hooks install --repo DIR --publish WEBROOT\n\n在裸仓库中安装 pre-receive 和 post-receive 钩子（记录本程序的绝对路径）：\npre-receive 拒绝改写 main 历史、带来新的 kjjr check 错误或不安全条目（符号链接、子模块、不安全的文件名）的推送，\n以及不符合报送规则的 submit/ 分支；post-receive 在后台发布新的 main（日志在 DIR/kjjr/publish.log，kjjr publish --status 查看）。\n\npre-receive 和 post-receive 子命令由钩子调用。\n\n参数：")
		fl.PrintDefaults()
	}
	pos, code, ok := parseFlags(fl, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fl.Usage()
		return 2
	}
	if *dir == "" || *web == "" {
		fmt.Fprintln(e.stderr, "kjjr hooks: 请用 --repo DIR 和 --publish WEBROOT 指定裸仓库和网站根目录")
		return 2
	}
	now, ok := parseNow(e, "hooks", *nowFlag)
	if !ok {
		return 2
	}
	gitDir, _, err := gitdir.Find(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "kjjr hooks: %s 不是 git 仓库：%v\n", *dir, err)
		return 1
	}
	switch pos[0] {
	case "install":
		exe, err := os.Executable()
		if err == nil {
			exe, err = filepath.EvalSymlinks(exe)
		}
		if err == nil {
			err = publish.InstallHooks(gitDir, exe, *web)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr hooks: 安装失败：%v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "已在 %s 安装 pre-receive 和 post-receive 钩子（调用 %s）。main 更新后发布到 %s。\n", filepath.Join(gitDir, "hooks"), exe, *web)
		return 0
	case "pre-receive":
		us, err := publish.ParseUpdates(e.stdin)
		if err == nil {
			err = publish.CheckPush(gitDir, os.Environ(), us, nowOr(now))
		}
		var r *publish.Refused
		if errors.As(err, &r) {
			fmt.Fprintln(e.stderr, r.Msg)
			return 1
		} else if err != nil {
			fmt.Fprintf(e.stderr, "kjjr：无法检查这次推送，已拒绝（请联系管理员）：%v\n", err)
			return 1
		}
		return 0
	case "post-receive":
		us, err := publish.ParseUpdates(e.stdin)
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr：%v\n", err)
			return 0 // the push is done; nothing to undo
		}
		if !publish.MainMoved(us) {
			return 0
		}
		exe, err := os.Executable()
		if err == nil {
			err = publish.Request(gitDir)
		}
		if err == nil {
			err = publish.Spawn(exe, "publish", "--repo", gitDir, "--to", *web, "--queued")
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr：main 已更新，但无法开始发布网站：%v（请联系管理员运行 kjjr publish）\n", err)
			return 0
		}
		fmt.Fprintln(e.stderr, "kjjr：main 已更新，网站正在后台发布（kjjr publish --status 查看结果）。")
		return 0
	}
	fmt.Fprintf(e.stderr, "kjjr hooks: 未知子命令 %q（install、pre-receive 或 post-receive）\n", pos[0])
	return 2
}
